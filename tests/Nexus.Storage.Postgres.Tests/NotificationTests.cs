using System.Threading.Channels;
using Npgsql;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>LISTEN/NOTIFY: one wake per insert call, at commit, per schema, surviving a lost connection.</summary>
public sealed class NotificationTests : IAsyncLifetime
{
    private readonly string _app = "nexus-listen-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Channel<string?> _wakes = Channel.CreateUnbounded<string?>();
    private PostgresTestServer _server = null!;
    private PostgresStore _store = null!;
    private IAsyncDisposable _listener = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.GetAsync();
        var schema = _server.NewSchema();
        // Its own pool, named, so that the test can find and kill exactly its listener's backend.
        _store = PostgresStore.Create(_server.ConnectionStringFor(_app), o =>
        {
            o.Schema = schema;
            o.ListenReconnectMinDelay = TimeSpan.FromMilliseconds(20);
        });
        await _store.MigrateAsync();
        _listener = await _store.Notifications!.ListenAsync(q => _wakes.Writer.TryWrite(q));
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _store.DisposeAsync();
    }

    private Task InsertAsync(params NewTask[] tasks) => _store.Tasks.InsertAsync(new InsertTasksParams(tasks));

    /// <summary>Notifications arrive in commit order on one connection, so once the sentinel's wake is here,
    /// every wake of earlier commits is here too.</summary>
    private async Task<List<string?>> WakesUpToSentinelAsync(string sentinel)
    {
        await InsertAsync(TestTasks.New(sentinel));
        return await _wakes.Reader.ReadUntilAsync(q => q == sentinel, $"the wake of queue '{sentinel}'");
    }

    [Fact]
    public void TheStore_PushesWakeUps_OnItsSchemasChannel()
    {
        Assert.NotNull(((INexusStore)_store).Notifications);
        Assert.Equal("postgres", _store.Driver);
        Assert.StartsWith("nexus_tasks_", _store.NotifyChannel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insert_OfManyRows_WakesListenersOnce_WithTheQueue()
    {
        await _store.Tasks.InsertAsync(new InsertTasksParams(TestTasks.Many(200, "mail")));

        Assert.Equal(["mail", "sentinel"], await WakesUpToSentinelAsync("sentinel"));
    }

    [Fact]
    public async Task Insert_SplitIntoChunks_StillWakesOnce()
    {
        await using var chunked = new PostgresStore(_store.DataSource, new PostgresStoreOptions { Schema = _store.Schema, InsertChunkSize = 10 });

        await chunked.Tasks.InsertAsync(new InsertTasksParams(TestTasks.Many(35, "bulk")));

        Assert.Equal(["bulk", "sentinel"], await WakesUpToSentinelAsync("sentinel"));
    }

    [Fact]
    public async Task Insert_IntoSeveralQueues_WakesOnceForAnyQueue()
    {
        await InsertAsync(TestTasks.New("a"), TestTasks.New("b"), TestTasks.New("a"));

        Assert.Equal([null, "sentinel"], await WakesUpToSentinelAsync("sentinel"));
    }

    [Fact]
    public async Task ConcurrentSingleInserts_EachWakeListeners_WhetherItsStatementOrTheCoalescerNotifies()
    {
        // One insert at a time raises its NOTIFY inside its own statement; those that overlap it fold theirs into the
        // coalescer's NOTIFY after their commit. Either way no insert's wake is lost.
        var queues = Enumerable.Range(0, 24).Select(i => $"q{i}").ToList();

        await Task.WhenAll(queues.Select(q => Task.Run(() => InsertAsync(TestTasks.New(q)))));

        var wakes = await WakesUpToSentinelAsync("sentinel");
        var unwoken = wakes.Contains(null) ? [] : queues.Where(q => !wakes.Contains(q)).ToList();
        Assert.Empty(unwoken);
    }

    [Fact]
    public async Task Insert_OfOnlyExistingUniqueKeys_DoesNotWake()
    {
        await InsertAsync(TestTasks.New("keyed", uniqueKey: "k"));
        Assert.Equal("keyed", await _wakes.Reader.NextAsync("the first keyed insert's wake"));

        await InsertAsync(TestTasks.New("keyed", uniqueKey: "k"));

        Assert.Equal(["sentinel"], await WakesUpToSentinelAsync("sentinel"));
    }

    [Fact]
    public async Task AnAppendInNexussOwnUnitOfWork_WakesOtherNodesAfterItCommits_AndNotOnRollback()
    {
        await _store.Events.CreateNamespaceAsync(new NewNamespace("shop"));
        var appended = new AppendEventsParams("shop", [new Events.NewEvent { Topic = "orders.created", PayloadJson = "{}" }]);

        await _store.InTransactionAsync(async (tx, ct) =>
        {
            await tx.Events.AppendAsync(appended, ct);
            // Not carried inside the transaction: nothing is sent before Nexus commits it.
            Assert.Equal(["inside"], await WakesUpToSentinelAsync("inside"));
            return 0;
        });
        Assert.Equal(PostgresEventStore.EventsWakePayload, await _wakes.Reader.NextAsync("the events' wake after the commit"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.InTransactionAsync<int>(async (tx, ct) =>
        {
            await tx.Events.AppendAsync(appended, ct);
            throw new InvalidOperationException("roll back");
        }));
        Assert.Equal(["after-rollback"], await WakesUpToSentinelAsync("after-rollback"));
    }

    [Fact]
    public async Task TransactionalInsert_WakesAtCommit_AndNeverOnRollback()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await _store.InsertAsync(tx, new InsertTasksParams([TestTasks.New("committed")]));
            Assert.Equal(["before-commit"], await WakesUpToSentinelAsync("before-commit"));
            await tx.CommitAsync();
        }
        Assert.Equal("committed", await _wakes.Reader.NextAsync("the wake at commit"));

        await using (var tx = await conn.BeginTransactionAsync())
        {
            await _store.InsertAsync(tx, new InsertTasksParams([TestTasks.New("rolled-back")]));
            await tx.RollbackAsync();
        }
        Assert.Equal(["after-rollback"], await WakesUpToSentinelAsync("after-rollback"));
    }

    [Fact]
    public async Task Insert_IntoAnotherSchema_DoesNotWakeThisOne()
    {
        await using var other = _server.CreateStore();
        await other.MigrateAsync();
        Assert.NotEqual(_store.NotifyChannel, other.NotifyChannel);

        await other.Tasks.InsertAsync(new InsertTasksParams([TestTasks.New("elsewhere")]));

        Assert.Equal(["sentinel"], await WakesUpToSentinelAsync("sentinel"));
    }

    [Fact]
    public async Task Listener_WhoseBackendIsKilled_ReconnectsAndAsksForAResync()
    {
        await using (var kill = _server.DataSource.CreateCommand(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1 and query ilike 'listen%'"))
        {
            kill.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _app });
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        Assert.Null(await _wakes.Reader.NextAsync("the resync wake after the reconnect"));
        Assert.Equal(["after-reconnect"], await WakesUpToSentinelAsync("after-reconnect"));
    }

    [Fact]
    public async Task Listener_AfterDispose_IsCalledNoMore()
    {
        var second = Channel.CreateUnbounded<string?>();
        await using var witness = await _store.Notifications!.ListenAsync(q => second.Writer.TryWrite(q));

        await _listener.DisposeAsync();
        await InsertAsync(TestTasks.New("after-dispose"));

        Assert.Equal("after-dispose", await second.Reader.NextAsync("the witness listener's wake"));
        Assert.False(_wakes.Reader.TryRead(out var late), $"a disposed listener was woken with '{late}'");
    }
}
