using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Nexus.Hosting;
using Nexus.Storage.Contract;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Submits that join the caller's transaction: the tasks exist exactly when it commits.</summary>
public sealed class TransactionalSubmitTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private INexusTasks _tasks = null!;
    private PostgresStore _store = null!;
    private string _schema = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _schema = server.NewSchema();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new Probe());
        services.AddNexus(n => n
            .UsePostgres(server.ConnectionString, o => o.Schema = _schema)
            .AddPlugin<ProbePlugin>()
            .Configure(o => o.RunWorkers = false));
        _services = services.BuildServiceProvider();
        _tasks = _services.GetRequiredService<INexusTasks>();
        _store = _services.GetRequiredService<PostgresStore>();
        await _store.MigrateAsync();
        await using var cmd = _store.DataSource.CreateCommand($"create table \"{_schema}\".orders (id int primary key)");
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static TaskRequest Request(string? uniqueKey = null, string queue = "default") =>
        new("test.probe", """{"value":"tx"}""", new SubmitOptions { UniqueKey = uniqueKey, Queue = queue });

    [Fact]
    public async Task Submit_InACommittedTransaction_CreatesTheTaskAtCommit()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var order = new NpgsqlCommand($"insert into \"{_schema}\".orders values (1)", conn, tx))
        {
            await order.ExecuteNonQueryAsync();
        }

        var result = Assert.Single(await _tasks.SubmitAsync(_store, tx, [Request()]));

        Assert.True(result.Created);
        Assert.Null(await _store.Tasks.GetAsync(result.Id)); // not visible to others before commit
        await tx.CommitAsync();
        var task = await _store.Tasks.GetAsync(result.Id);
        Assert.NotNull(task);
        Assert.Equal(TaskState.Available, task.State);
        Assert.Equal("test.probe", task.Plugin);
    }

    [Fact]
    public async Task Submit_InARolledBackTransaction_LeavesNoTask()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();

        var results = await _tasks.SubmitAsync(_store, tx, [Request(), Request()]);
        await tx.RollbackAsync();

        Assert.Equal(2, results.Count(r => r.Created));
        foreach (var result in results) Assert.Null(await _store.Tasks.GetAsync(result.Id));
        Assert.Equal(0, await TestTasks.CountRowsAsync(_store.DataSource, _schema));
    }

    [Fact]
    public async Task Submit_WithInvalidRequest_ThrowsBeforeTouchingTheTransaction()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();

        var ex = await Assert.ThrowsAsync<TaskValidationException>(() =>
            _tasks.SubmitAsync(_store, tx, [Request(), new TaskRequest("test.probe", """{"failTimes":-1}""")]));

        Assert.Equal("tasks[1].args.failTimes", ex.Field);
        await tx.CommitAsync(); // still usable
        Assert.Equal(0, await TestTasks.CountRowsAsync(_store.DataSource, _schema));
    }

    [Fact]
    public async Task Submit_RefusedByABacklogLimit_LeavesTheTransactionUsable()
    {
        await _store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 1);
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var order = new NpgsqlCommand($"insert into \"{_schema}\".orders values (7)", conn, tx))
        {
            await order.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAsync<QueueFullException>(() => _tasks.SubmitAsync(_store, tx, [Request(queue: "bounded"), Request(queue: "bounded")]));
        var accepted = Assert.Single(await _tasks.SubmitAsync(_store, tx, [Request(queue: "bounded")]));
        await tx.CommitAsync();

        Assert.NotNull(await _store.Tasks.GetAsync(accepted.Id));
        Assert.Equal(1, await TestTasks.CountRowsAsync(_store.DataSource, _schema));
        await using var orders = _store.DataSource.CreateCommand($"select count(*) from \"{_schema}\".orders");
        Assert.Equal(1L, await orders.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Submit_SameUniqueKeyFrom32Transactions_WithRandomRollbacks_LeavesExactlyOneTask()
    {
        var random = new Random(20240607);
        var commit = Enumerable.Range(0, 32).Select(i => i == 31 || random.Next(2) == 0).ToArray();
        var ready = 0;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            await using var conn = await _store.DataSource.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            if (Interlocked.Increment(ref ready) == 32) go.SetResult();
            await Eventually.WithinAsync(go.Task, because: "all 32 transactions to open"); // before anyone inserts
            var result = (await _tasks.SubmitAsync(_store, tx, [Request(uniqueKey: "race")]))[0];
            if (commit[i]) await tx.CommitAsync();
            else await tx.RollbackAsync();
            return (Committed: commit[i], result.Id, result.Created);
        })));

        var rows = await _store.Tasks.ListAsync(new TaskQuery { Limit = 100 });
        var task = Assert.Single(rows.Items);
        var committed = outcomes.Where(o => o.Committed).ToList();
        Assert.Single(committed, o => o.Created);
        Assert.All(committed, o => Assert.Equal(task.Id, o.Id));
        Assert.Equal("race", task.UniqueKey);
    }

    [Fact]
    public async Task Submit_WithAnotherDriversStore_IsRefusedWithTheDriverNamed()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _tasks.SubmitAsync(new OtherStore(), tx, [Request()]));

        Assert.Contains("'other'", ex.Message, StringComparison.Ordinal);
    }

    private sealed class OtherStore : INexusStore
    {
        public string Driver => "other";
        public ITaskStore Tasks => throw new NotImplementedException();
        public IEventStore Events => throw new NotImplementedException();
        public IQueueStore Queues => throw new NotImplementedException();
        public ILeaderStore Leader => throw new NotImplementedException();
        public ITaskNotifications? Notifications => null;
        public IApiKeyStore ApiKeys => throw new NotImplementedException();
        public INodeStore Nodes => throw new NotImplementedException();
        public IExternalPluginStore ExternalPlugins => throw new NotImplementedException();
        public IWorkflowStore Workflows => throw new NotImplementedException();
        public IScheduleStore Schedules => throw new NotImplementedException();
        public IServiceStore Services => throw new NotImplementedException();
        public StoreHooks Hooks => throw new NotImplementedException();
        public IStateStore State => throw new NotImplementedException();
        public Task<T> InTransactionAsync<T>(Func<IStoreTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default) => throw new NotImplementedException();
        public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
        public Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Submit_InATransaction_StoresTheTraceContextOfItsSubmitSpan()
    {
        // Sources are process-wide: keep only the spans of this test's trace.
        var spans = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var caller = new System.Diagnostics.ActivitySource("test.caller");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name is "Nexus" or "test.caller",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        SubmitResult result;
        System.Diagnostics.ActivityTraceId trace;
        using (var outer = caller.StartActivity("checkout"))
        {
            Assert.NotNull(outer);
            trace = outer.TraceId;
            await using var conn = await _store.DataSource.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            result = Assert.Single(await _tasks.SubmitAsync(_store, tx, [Request()]));
            await tx.CommitAsync();
        }

        var submit = Assert.Single(spans, s => s.OperationName == "nexus.submit" && s.TraceId == trace);
        Assert.Equal(System.Diagnostics.ActivityKind.Producer, submit.Kind);
        Assert.Equal(true, submit.GetTagItem("nexus.transactional"));
        var stored = (await _store.Tasks.GetAsync(result.Id))!.TraceContext;
        Assert.Equal($"00-{trace.ToHexString()}-{submit.SpanId.ToHexString()}-01", stored);
    }
}
