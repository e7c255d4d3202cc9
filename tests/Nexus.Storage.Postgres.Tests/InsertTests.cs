using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Inserts larger than one statement: chunks share one transaction.</summary>
public sealed class InsertTests : IAsyncLifetime
{
    private PostgresStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = (await PostgresTestServer.GetAsync()).CreateStore(o => o.InsertChunkSize = 100);
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Insert_AcrossChunks_KeepsOrderAndDeduplicatesKeysBetweenChunks()
    {
        var tasks = TestTasks.Many(250);
        tasks[5] = TestTasks.New(uniqueKey: "shared");
        tasks[150] = TestTasks.New(uniqueKey: "shared");
        tasks[249] = TestTasks.New(uniqueKey: "shared");

        var results = await _store.Tasks.InsertAsync(new InsertTasksParams(tasks));

        Assert.Equal(250, results.Count);
        Assert.Equal(248, results.Count(r => r.Created));
        Assert.Equal((results[5].Id, false), (results[150].Id, results[150].Created));
        Assert.Equal(results[5].Id, results[249].Id);
        var created = results.Where(r => r.Created).Select(r => r.Id).ToList();
        Assert.Equal(created.Order(), created);
        Assert.Equal(248, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema));
        var last = await _store.Tasks.GetAsync(results[248].Id);
        Assert.Contains("248", last!.ArgsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_RefusedInALaterChunk_StoresNothingFromEarlierChunks()
    {
        await _store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 40);
        var tasks = TestTasks.Many(200, "free").Concat(TestTasks.Many(50, "bounded")).ToList();

        var ex = await Assert.ThrowsAsync<QueueFullException>(() => _store.Tasks.InsertAsync(new InsertTasksParams(tasks)));

        Assert.Equal("bounded", ex.Queue);
        Assert.Equal(0, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema));
    }

    [Fact]
    public async Task TransactionalInsert_RefusedInALaterChunk_RollsBackOnlyTheBatch_AndTheTransactionGoesOn()
    {
        await _store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 40);
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var before = await _store.InsertAsync(tx, new InsertTasksParams([TestTasks.New("kept")]));

        await Assert.ThrowsAsync<QueueFullException>(() =>
            _store.InsertAsync(tx, new InsertTasksParams(TestTasks.Many(200, "free").Concat(TestTasks.Many(50, "bounded")).ToList())));
        var after = await _store.InsertAsync(tx, new InsertTasksParams(TestTasks.Many(150, "later")));
        await tx.CommitAsync();

        Assert.Equal(151, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema));
        Assert.Equal(0, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema, "queue in ('free', 'bounded')"));
        Assert.NotNull(await _store.Tasks.GetAsync(before[0].Id));
        Assert.Equal(150, after.Count(r => r.Created));
    }

    [Fact]
    public async Task Insert_WithExplicitClock_StoresExactTimes()
    {
        var now = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1230);
        var results = await _store.Tasks.InsertAsync(new InsertTasksParams(
            [TestTasks.New() with { Delay = TimeSpan.FromMinutes(3) }, TestTasks.New() with { RunAt = now.AddHours(-1) }]) { Now = now });

        var delayed = await _store.Tasks.GetAsync(results[0].Id);
        var past = await _store.Tasks.GetAsync(results[1].Id);

        Assert.Equal((TaskState.Scheduled, now.AddMinutes(3)), (delayed!.State, delayed.RunAt));
        Assert.Equal((TaskState.Available, now.AddHours(-1)), (past!.State, past.RunAt));
        Assert.Equal(TimeSpan.Zero, past.CreatedAt.Offset);
    }
}
