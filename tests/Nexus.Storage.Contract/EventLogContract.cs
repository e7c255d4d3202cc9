using Nexus.Events;
using Nexus.Storage;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>The event log on every driver: namespaces, appends, idempotency keys, reads by cursor and by range, and retention.</summary>
public abstract class EventLogContract : EventContractBase
{
    [Fact]
    public async Task Namespaces_CreateIsIdempotent_AndTheDefaultExists()
    {
        var (first, created) = await Store.Events.CreateNamespaceAsync(new NewNamespace("shop", "the shop") { Now = T0 });
        var (again, createdAgain) = await Store.Events.CreateNamespaceAsync(new NewNamespace("shop", "other text") { Now = T0.AddHours(1) });

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal("the shop", again.Description);
        Assert.Equal(first.CreatedAt, again.CreatedAt);
        var names = (await Store.Events.ListNamespacesAsync()).Select(n => n.Name).ToList();
        Assert.Equal(["default", "shop"], names);
        Assert.Null(await Store.Events.GetNamespaceAsync("nope"));
    }

    [Fact]
    public async Task Append_GivesIncreasingPositions_AndReadReturnsEveryFieldInOrder()
    {
        var ns = await NamespaceAsync();
        var results = await AppendAsync(ns, Event("a.one", """{"x":1}""", key: "k1", priority: EventPriority.High), Event("a.two", "[1,2]"), Event("a.three", "\"text\""));

        Assert.All(results, r => Assert.True(r.Created));
        Assert.True(results[0].Position < results[1].Position && results[1].Position < results[2].Position);
        var page = await SettledAsync(ns, 3);
        Assert.Equal(results.Select(r => r.Position), page.Events.Select(e => e.Position));
        var first = page.Events[0];
        Assert.Equal(("a.one", "k1", EventPriority.High, ns), (first.Topic, first.Key, first.Priority, first.Namespace));
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(first.PayloadJson).RootElement.GetProperty("x").GetInt32());
        Assert.Equal("contract", first.Headers["source"]);
        Assert.Equal(T0, first.Time);
        Assert.Equal(page.Events[^1].Cursor, page.Next);

        var rest = await Store.Events.ReadAsync(new ReadEventsParams(ns, page.Events[0].Cursor, 10));
        Assert.Equal(results.Skip(1).Select(r => r.Position), rest.Events.Select(e => e.Position));
        var none = await Store.Events.ReadAsync(new ReadEventsParams(ns, page.Next, 10));
        Assert.Empty(none.Events);
        Assert.Equal(page.Next, none.Next);
    }

    [Fact]
    public async Task Append_WithAnIdempotencyKeyUsedBefore_ReturnsTheFirstPosition_AndAppendsNothing()
    {
        var ns = await NamespaceAsync();
        var other = await NamespaceAsync("other");
        var first = await AppendAsync(ns, Event(idem: "order-1"));
        var again = await AppendAsync(ns, Event(payload: """{"n":2}""", idem: "order-1"), Event(idem: "order-2"), Event(idem: "order-2"));
        var elsewhere = await AppendAsync(other, Event(idem: "order-1"));

        Assert.True(first[0].Created);
        Assert.Equal(new AppendResult(first[0].Position, false), again[0]);
        Assert.True(again[1].Created);
        Assert.Equal(new AppendResult(again[1].Position, false), again[2]);
        Assert.True(elsewhere[0].Created);
        var page = await SettledAsync(ns, 2);
        Assert.Equal(2, page.Events.Count);
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(page.Events[0].PayloadJson).RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Append_ToANamespaceThatDoesNotExist_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<StoreException>(() => AppendAsync("missing", Event()));
        Assert.Equal("namespace-not-found", ex.Code);
    }

    [Fact]
    public async Task Read_OnlyReturnsTheNamespaceAskedFor()
    {
        var a = await NamespaceAsync("a");
        var b = await NamespaceAsync("b");
        await AppendAsync(a, Event("x.a"));
        await AppendAsync(b, Event("x.b"));
        await AppendAsync(a, Event("x.a2"));

        await SettledAsync(b, 1);
        var page = await SettledAsync(a, 2);
        Assert.Equal(["x.a", "x.a2"], page.Events.Select(e => e.Topic));
    }

    [Fact]
    public async Task ReadRange_SelectsByPositionAndTime()
    {
        var ns = await NamespaceAsync();
        var early = await Store.Events.AppendAsync(new AppendEventsParams(ns, [Event("t.early")]) { Now = T0 });
        var late = await Store.Events.AppendAsync(new AppendEventsParams(ns, [Event("t.late1"), Event("t.late2")]) { Now = T0.AddHours(2) });

        var byPosition = await Store.Events.ReadRangeAsync(new ReadRangeParams(ns, early[0].Position, late[0].Position, 100));
        var byTime = await Store.Events.ReadRangeAsync(new ReadRangeParams(ns, null, null, 100) { FromTime = T0.AddHours(1) });

        Assert.Equal(["t.early", "t.late1"], byPosition.Select(e => e.Topic));
        Assert.Equal(["t.late1", "t.late2"], byTime.Select(e => e.Topic));
    }

    [Fact]
    public async Task Maintain_RemovesEventsOlderThanTheRetention_AndKeepsTheRest()
    {
        var ns = await NamespaceAsync();
        await Store.Events.AppendAsync(new AppendEventsParams(ns, [Event("old.one"), Event("old.two")]) { Now = T0.AddDays(-10) });
        await Store.Events.AppendAsync(new AppendEventsParams(ns, [Event("new.one")]) { Now = T0 });

        var removed = await Store.Events.MaintainAsync(new LogMaintenanceParams(TimeSpan.FromDays(7)) { Now = T0, BatchSize = 1 });

        Assert.True(removed > 0);
        var left = await Store.Events.ReadRangeAsync(new ReadRangeParams(ns, null, null, 100));
        Assert.Equal(["new.one"], left.Select(e => e.Topic));
        // The log keeps working after retention, and positions never go back.
        var next = await AppendAsync(ns, Event("after.retention"));
        Assert.True(next[0].Position > left[0].Position);
    }

    [Fact]
    public async Task Maintain_OnTheStoresOwnClock_KeepsRecentEvents()
    {
        // What the maintenance loop does in production: no explicit time, the database's (or the store's) own clock.
        var ns = await NamespaceAsync();
        await AppendAsync(ns, Event("recent.one"));

        var removed = await Store.Events.MaintainAsync(new LogMaintenanceParams(TimeSpan.FromDays(7)));

        Assert.Equal(0, removed);
        Assert.Equal(["recent.one"], (await Store.Events.ReadRangeAsync(new ReadRangeParams(ns, null, null, 100))).Select(e => e.Topic));
    }

    [Fact]
    public async Task InAUnitOfWork_AnAppendCommitsWithTheTaskBesideIt_OrNeitherExists()
    {
        var ns = await NamespaceAsync();
        await Store.InTransactionAsync(async (tx, ct) =>
        {
            await tx.Events.AppendAsync(new AppendEventsParams(ns, [Event("uow.kept")]) { Now = T0 }, ct);
            return await tx.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "uow")]) { Now = T0 }, ct);
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.InTransactionAsync<int>(async (tx, ct) =>
        {
            await tx.Events.AppendAsync(new AppendEventsParams(ns, [Event("uow.lost")]) { Now = T0 }, ct);
            await tx.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "uow")]) { Now = T0 }, ct);
            throw new InvalidOperationException("the work fails after both writes");
        }));

        var page = await SettledAsync(ns, 1);
        Assert.Equal(["uow.kept"], (await Store.Events.ReadRangeAsync(new ReadRangeParams(ns, null, null, 10))).Select(e => e.Topic));
        Assert.Single(page.Events);
        Assert.Single((await Store.Tasks.ListAsync(new Tasks.TaskQuery { Queue = "uow" })).Items);
    }

    [Fact]
    public async Task DeadLetters_ArePerNamespace_NewestFirst()
    {
        var a = await NamespaceAsync("a");
        await NamespaceAsync("b");
        foreach (var (ns, position) in new[] { ("a", 1L), ("b", 2L), ("a", 3L) })
        {
            await Store.Events.AddDeadLetterAsync(new NewDeadLetter { Namespace = ns, Subscription = "s", Position = position, Topic = "t", Reason = $"r{position}", Deliveries = 5, Now = T0 });
        }

        var letters = await Store.Events.ListDeadLettersAsync(a, 10);
        Assert.Equal([3L, 1L], letters.Select(l => l.Position));
        Assert.Equal(("r3", 5, "s", T0), (letters[0].Reason, letters[0].Deliveries, letters[0].Subscription, letters[0].CreatedAt));
    }
}

/// <summary>Helpers of the event contracts.</summary>
public abstract class EventContractBase : StoreContract
{
    protected static NewEvent Event(string topic = "orders.created", string payload = """{"n":1}""", string? idem = null, string? key = null,
        EventPriority priority = EventPriority.Normal) => new()
        {
            Topic = topic,
            PayloadJson = payload,
            IdempotencyKey = idem,
            Key = key,
            Priority = priority,
            Headers = new Dictionary<string, string> { ["source"] = "contract" },
        };

    protected async Task<string> NamespaceAsync(string name = "shop")
    {
        await Store.Events.CreateNamespaceAsync(new NewNamespace(name, "test") { Now = T0 });
        return name;
    }

    /// <summary>Reads from the start until <paramref name="count"/> events are readable: on PostgreSQL a reader waits
    /// for every older transaction of the cluster (other tests' too) to end before it reads past it.</summary>
    protected Task<EventPage> SettledAsync(string ns, int count) =>
        Eventually.UntilAsync(() => Store.Events.ReadAsync(new ReadEventsParams(ns, LogCursor.Start, 10_000)), p => p.Events.Count >= count,
            because: $"{count} events readable in {ns}", describe: p => p.Events.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    protected Task<IReadOnlyList<AppendResult>> AppendAsync(string ns, params NewEvent[] events) =>
        Store.Events.AppendAsync(new AppendEventsParams(ns, events) { Now = T0 });
}
