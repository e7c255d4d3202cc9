using Nexus.Events;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>
/// Per-key order's one race on PostgreSQL: the dispatch inserts a key's next delivery <c>waiting</c> while the
/// transaction that finishes the previous one is still open. Under read committed neither sees the other's write, so
/// without serializing them the next delivery would wait for ever. Both take the key link's advisory lock before looking:
/// the dispatch waits for the finishing transaction, then sees it finished and releases the delivery itself.
/// </summary>
public sealed class DeliveryOrderRaceTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private PostgresStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = (await PostgresTestServer.GetAsync()).CreateStore();
        await _store.MigrateAsync();
        await _store.Events.CreateNamespaceAsync(new NewNamespace(Ns));
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static NewTask Delivery(string owner, bool waiting, string? uniqueKey = null) => new()
    {
        Plugin = "test.echo",
        ArgsJson = "{}",
        Queue = "keyed",
        MaxAttempts = 1,
        Owner = owner,
        Waiting = waiting,
        UniqueKey = uniqueKey,
    };

    [Fact]
    public async Task ADeliveryInsertedWhileThePreviousOneOfItsKeyFinishes_IsReleasedByTheTransactionThatCommitsSecond()
    {
        var sub = await _store.Events.CreateSubscriptionAsync(new NewSubscription
        {
            Namespace = Ns,
            Name = "ordered",
            Pattern = ">",
            Action = SubscriptionActions.Plugin,
            Target = "test.echo",
            Queue = "keyed",
            OrderedByKey = true,
            Start = SubscriptionStart.All,
        });
        var owner = DeliveryOwner.For(sub.Id, "k");
        var previous = (await _store.Tasks.InsertAsync(new InsertTasksParams([Delivery(owner, waiting: false)])))[0].Id;
        await _store.Events.AppendAsync(new AppendEventsParams(Ns, [new NewEvent { Topic = "carts.add", PayloadJson = "{}", Key = "k" }]));
        await Eventually.UntilAsync(() => _store.Events.ReadAsync(new ReadEventsParams(Ns, LogCursor.Start, 10)), p => p.Events.Count == 1, because: "the event to be readable");

        // The previous delivery finishes in a transaction still open while the dispatch runs; it finds nothing waiting.
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var finishing = await conn.BeginTransactionAsync();
        var joined = _store.Join(finishing);
        Assert.Equal(CancelOutcome.Cancelled, await joined.Tasks.CancelAsync(new TaskActionParams(previous)));
        Assert.Equal(0, await joined.Events.ReleaseDeliveriesAsync(new ReleaseDeliveriesParams([owner])));

        var dispatch = _store.Events.DispatchAsync(new DispatchParams(10, 100), (s, events) =>
            [.. events.Select(e => Delivery(DeliveryOwner.For(s.Id, e.Key!), waiting: true, $"event:{s.Id}:{e.Position}"))]);
        // The dispatch waits on the key link's lock; without it, it would commit its delivery waiting behind a task it
        // still sees available, and nothing would release it.
        await Eventually.UntilAsync(async () =>
        {
            await using var check = _store.DataSource.CreateCommand(
                $"select count(*) from pg_locks where locktype = 'advisory' and not granted and classid = {0x4E58_4B4F}");
            return dispatch.IsCompleted || (long)(await check.ExecuteScalarAsync())! > 0;
        }, done => done, because: "the dispatch to wait for the key's lock (or to finish)");
        await finishing.CommitAsync();
        var result = await dispatch;

        Assert.Equal(1, result.Deliveries);
        var next = Assert.Single((await _store.Tasks.ListAsync(new TaskQuery { Queue = "keyed", Limit = 10 })).Items, t => t.Id != previous);
        Assert.Equal(TaskState.Available, next.State);
    }
}
