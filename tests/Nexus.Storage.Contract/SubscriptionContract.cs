using Nexus.Events;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Subscriptions on every driver: starts, cursors, and the dispatch that turns events into exactly one
/// delivery task per (subscription, event), committed with the cursor.</summary>
public abstract class SubscriptionContract : EventContractBase
{
    private Task<SubscriptionRecord> SubscribeAsync(string ns, string name, SubscriptionStart? start = null, string pattern = ">", string? filter = null) =>
        Store.Events.CreateSubscriptionAsync(new NewSubscription
        {
            Namespace = ns,
            Name = name,
            Pattern = pattern,
            FilterJson = filter,
            Action = SubscriptionActions.Plugin,
            Target = "test.echo",
            Queue = "deliveries",
            MaxDeliveries = 3,
            Start = start ?? SubscriptionStart.All,
            Now = T0,
        });

    /// <summary>A plan like the event service's: one task per event, unique per subscription and position (the filter,
    /// if any, over the payload).</summary>
    private static IReadOnlyList<NewTask> Plan(SubscriptionRecord sub, IReadOnlyList<EventRecord> events) =>
        [.. events.Where(e => TopicPattern.Parse(sub.Pattern).Matches(e.Topic)
                              && (sub.FilterJson is null || Filters.JsonFilter.Parse(sub.FilterJson).Matches(e.PayloadJson))).Select(e => Task(
            plugin: "test.echo", queue: sub.Queue, priority: (int)e.Priority, uniqueKey: $"event:{sub.Id}:{e.Position}:e{sub.Epoch}",
            args: $$"""{"topic":"{{e.Topic}}","position":{{e.Position}},"sub":"{{sub.Name}}"}"""))];

    private Task<DispatchResult> DispatchAsync(int maxEvents = 100) => Store.Events.DispatchAsync(new DispatchParams(10, maxEvents) { Now = T0 }, Plan);

    /// <summary>Dispatches until <paramref name="count"/> deliveries exist (on PostgreSQL the dispatcher reads past an
    /// event only once every older transaction of the cluster has ended).</summary>
    private Task<List<(string Sub, long Position)>> DispatchUntilAsync(int count) =>
        Eventually.UntilAsync(async () =>
        {
            await DispatchAsync();
            return await DeliveriesAsync();
        }, d => d.Count >= count, because: $"{count} deliveries", describe: d => d.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task<List<(string Sub, long Position)>> DeliveriesAsync()
    {
        var page = await Store.Tasks.ListAsync(new Tasks.TaskQuery { Queue = "deliveries", Limit = 1000 });
        return [.. page.Items.Select(t =>
        {
            var args = System.Text.Json.JsonDocument.Parse(t.ArgsJson).RootElement;
            return (args.GetProperty("sub").GetString()!, args.GetProperty("position").GetInt64());
        }).OrderBy(d => d.Item1, StringComparer.Ordinal).ThenBy(d => d.Item2)];
    }

    [Fact]
    public async Task Subscription_NameIsUniqueInItsNamespace()
    {
        var ns = await NamespaceAsync();
        var other = await NamespaceAsync("other");
        var made = await SubscribeAsync(ns, "s1");
        await SubscribeAsync(other, "s1");

        var ex = await Assert.ThrowsAsync<StoreException>(() => SubscribeAsync(ns, "s1"));
        Assert.Equal("subscription-exists", ex.Code);
        Assert.Equal(made, await Store.Events.GetSubscriptionAsync(ns, "s1"));
        Assert.Equal(made, await Store.Events.GetSubscriptionAsync(made.Id));
        Assert.Equal(["s1"], (await Store.Events.ListSubscriptionsAsync(ns)).Select(s => s.Name));
        Assert.True(await Store.Events.DeleteSubscriptionAsync(ns, "s1"));
        Assert.False(await Store.Events.DeleteSubscriptionAsync(ns, "s1"));
        Assert.Null(await Store.Events.GetSubscriptionAsync(ns, "s1"));
    }

    [Fact]
    public async Task Dispatch_MakesOneDeliveryPerSubscriptionAndEvent_AndNeverTheSameOneTwice()
    {
        var ns = await NamespaceAsync();
        await SubscribeAsync(ns, "all");
        await SubscribeAsync(ns, "orders", pattern: "orders.*");
        var appended = await AppendAsync(ns, Event("orders.created"), Event("users.created"), Event("orders.paid"));

        await SettledAsync(ns, 3);
        var first = await DispatchAsync();
        var second = await DispatchAsync();

        Assert.Equal(5, first.Deliveries);
        Assert.Equal(6, first.EventsRead);
        Assert.Equal(0, second.Deliveries);
        var p = appended.Select(a => a.Position).ToArray();
        Assert.Equal([("all", p[0]), ("all", p[1]), ("all", p[2]), ("orders", p[0]), ("orders", p[2])], await DeliveriesAsync());
        var cursor = (await Store.Events.GetSubscriptionAsync(ns, "all"))!.Cursor;
        Assert.Equal(p[2], cursor.Position);
    }

    [Fact]
    public async Task Dispatch_TakesOnlySubscriptionsWithSomethingToRead_FurthestBehindFirst_AndReportsFullWhileSlotsAreFull()
    {
        var ns = await NamespaceAsync();
        var quiet = await NamespaceAsync("quiet");
        // The lowest ids have nothing to read (a namespace without events): they must not hold the two slots.
        await SubscribeAsync(quiet, "idle-1");
        await SubscribeAsync(quiet, "idle-2");
        await SubscribeAsync(ns, "a");
        await SubscribeAsync(ns, "b");
        await SubscribeAsync(ns, "c");
        var appended = await AppendAsync(ns, Event("t.one"), Event("t.two"));
        await SettledAsync(ns, 2);

        var rounds = new List<DispatchResult>();
        do rounds.Add(await Store.Events.DispatchAsync(new DispatchParams(2, 100) { Now = T0 }, Plan));
        while (rounds[^1].Full && rounds.Count < 10);

        Assert.Equal([(2, 4, true), (1, 2, false)], rounds.Select(r => (r.Subscriptions, r.Deliveries, r.Full)));
        var p = appended.Select(a => a.Position).ToArray();
        Assert.Equal([("a", p[0]), ("a", p[1]), ("b", p[0]), ("b", p[1]), ("c", p[0]), ("c", p[1])], await DeliveriesAsync());
        Assert.Equal(0, (await Store.Events.DispatchAsync(new DispatchParams(2, 100) { Now = T0 }, Plan)).Subscriptions);
    }

    /// <summary>The fan-out's shared read: the due subscriptions of a namespace are served from one read of the log
    /// from the lowest of their cursors. Each must still get exactly the events after its own cursor that it matches.</summary>
    private async Task<(string Ns, long[] P, long F)> SubscriptionsAtDifferentCursorsAsync()
    {
        var ns = await NamespaceAsync();
        var other = await NamespaceAsync("other");
        await SubscribeAsync(ns, "early");
        var first = await AppendAsync(ns, Event("orders.created", """{"n":1}"""), Event("users.created", """{"n":2}"""));
        await SettledAsync(ns, 2);
        await DispatchUntilAsync(2); // "early" has read e1 and e2; the ones below start before them
        await SubscribeAsync(ns, "filtered", filter: """{"n":{"$gte":2}}""");
        await SubscribeAsync(ns, "orders", pattern: "orders.*");
        var third = await AppendAsync(ns, Event("orders.paid", """{"n":3}"""));
        await SettledAsync(ns, 3);
        await SubscribeAsync(ns, "late", SubscriptionStart.New); // after e3
        var rest = await AppendAsync(ns, Event("users.deleted", """{"n":4}"""), Event("orders.shipped", """{"n":5}"""));
        await SubscribeAsync(other, "elsewhere");
        var f = await AppendAsync(other, Event("orders.created", """{"n":9}"""));
        await SettledAsync(ns, 5);
        await SettledAsync(other, 1);
        return (ns, [.. first.Concat(third).Concat(rest).Select(a => a.Position)], f[0].Position);
    }

    private static List<(string Sub, long Position)> ExpectedAtDifferentCursors(long[] p, long f) =>
        [.. new (string, long)[]
        {
            ("early", p[0]), ("early", p[1]), ("early", p[2]), ("early", p[3]), ("early", p[4]),
            ("elsewhere", f),
            ("filtered", p[1]), ("filtered", p[2]), ("filtered", p[3]), ("filtered", p[4]),
            ("late", p[3]), ("late", p[4]),
            ("orders", p[0]), ("orders", p[2]), ("orders", p[4]),
        }.OrderBy(d => d.Item1, StringComparer.Ordinal).ThenBy(d => d.Item2)];

    [Fact]
    public async Task Dispatch_SubscriptionsOfANamespaceAtDifferentCursors_InOnePass_EachGetsExactlyItsDeliveriesOnce()
    {
        var (ns, p, f) = await SubscriptionsAtDifferentCursorsAsync();

        var pass = await DispatchAsync();
        var again = await DispatchAsync();

        Assert.Equal((5, 13, false), (pass.Subscriptions, pass.Deliveries, pass.Full));
        Assert.Equal(0, again.Deliveries);
        Assert.Equal(ExpectedAtDifferentCursors(p, f), await DeliveriesAsync());
        foreach (var name in new[] { "early", "filtered", "orders", "late" })
        {
            Assert.Equal(p[4], (await Store.Events.GetSubscriptionAsync(ns, name))!.Cursor.Position);
        }
        Assert.Equal(f, (await Store.Events.GetSubscriptionAsync("other", "elsewhere"))!.Cursor.Position);
    }

    [Fact]
    public async Task Dispatch_CursorsFurtherApartThanABatch_ReadEachFromItsOwnCursor_AndGetEveryDeliveryOnce()
    {
        var (ns, p, f) = await SubscriptionsAtDifferentCursorsAsync();

        // Batches of 2: "filtered" and "orders" (at the start) share e1–e2; "early" (after e2) is past that window and
        // reads its own; "late" (after e3) falls inside early's window e3–e4.
        var rounds = new List<DispatchResult>();
        do rounds.Add(await DispatchAsync(maxEvents: 2));
        while (rounds[^1].Full && rounds.Count < 10);

        Assert.True(rounds[0].Full);
        Assert.Equal(13, rounds.Sum(r => r.Deliveries));
        Assert.Equal(ExpectedAtDifferentCursors(p, f), await DeliveriesAsync());
        Assert.Equal(0, (await DispatchAsync()).Deliveries);
        foreach (var name in new[] { "early", "filtered", "orders", "late" })
        {
            Assert.Equal(p[4], (await Store.Events.GetSubscriptionAsync(ns, name))!.Cursor.Position);
        }
    }

    [Fact]
    public async Task Dispatch_OfAPassLargeEnoughToBeCopied_SkipsADeliveryThatExists_AndMakesEveryOtherOnce()
    {
        var ns = await NamespaceAsync();
        var a = await SubscribeAsync(ns, "a");
        await SubscribeAsync(ns, "b");
        var appended = await AppendAsync(ns, [.. Enumerable.Range(0, 60).Select(i => Event($"t.e{i}"))]);
        await SettledAsync(ns, 60);
        // a's delivery of the 10th event is already there (as after a crash between insert and cursor move, were that possible).
        var existing = await InsertAsync(Task(queue: "deliveries", uniqueKey: $"event:{a.Id}:{appended[9].Position}:e0",
            args: $$"""{"topic":"t.e9","position":{{appended[9].Position}},"sub":"a"}"""));

        var pass = await DispatchAsync();

        Assert.Equal((2, 119, 120), (pass.Subscriptions, pass.Deliveries, pass.EventsRead));
        Assert.Equal(59, pass.DeliveriesBySubscription[a.Id]);
        var deliveries = await DeliveriesAsync();
        Assert.Equal(120, deliveries.Count);
        Assert.Equal(120, deliveries.Distinct().Count());
        Assert.Equal(existing, (await Store.Tasks.ListAsync(new Tasks.TaskQuery { Queue = "deliveries", Limit = 1000 })).Items.Min(t => t.Id));
        Assert.Equal(0, (await DispatchAsync()).Deliveries);
    }

    [Fact]
    public async Task ReleaseDeliveries_MakesALinksOldestWaitingDeliveryAvailable_OnlyWhenNoneOfItIsInFlight()
    {
        var a = DeliveryOwner.For(1, "a");
        var b = DeliveryOwner.For(1, "b");
        const string run = "workflow:9/step";
        var head = await InsertAsync(Task(queue: "keyed") with { Owner = a });
        var a2 = await InsertAsync(Task(queue: "keyed") with { Owner = a, Waiting = true });
        var a3 = await InsertAsync(Task(queue: "keyed") with { Owner = a, Waiting = true });
        var b1 = await InsertAsync(Task(queue: "keyed") with { Owner = b, Waiting = true });
        var b2 = await InsertAsync(Task(queue: "keyed") with { Owner = b, Waiting = true });
        var step = await InsertAsync(Task(queue: "keyed") with { Owner = run, Waiting = true });
        async Task<TaskState> StateAsync(long id) => (await Store.Tasks.GetAsync(id))!.State;
        Task<int> ReleaseAsync(params string[] owners) => Store.Events.ReleaseDeliveriesAsync(new ReleaseDeliveriesParams(owners) { Now = T0 });

        // a's head is in flight; b has none, so its oldest goes; a workflow's owner is not a delivery link.
        Assert.Equal(1, await ReleaseAsync(a, b, run));
        Assert.Equal([TaskState.Waiting, TaskState.Waiting, TaskState.Available, TaskState.Waiting, TaskState.Waiting],
            [await StateAsync(a2), await StateAsync(a3), await StateAsync(b1), await StateAsync(b2), await StateAsync(step)]);
        Assert.Equal(0, await ReleaseAsync(b));

        // The head finishes (here: cancelled): the next of a goes, the one after it still waits.
        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(head) { Now = T0 }));
        Assert.Equal(1, await ReleaseAsync(a, a));
        Assert.Equal((TaskState.Available, TaskState.Waiting), (await StateAsync(a2), await StateAsync(a3)));
        Assert.Equal(0, await ReleaseAsync(a));
    }

    [Fact]
    public async Task Dispatch_WithSmallBatches_ReportsFull_UntilEverythingIsRead()
    {
        var ns = await NamespaceAsync();
        await SubscribeAsync(ns, "all");
        await AppendAsync(ns, [.. Enumerable.Range(0, 5).Select(i => Event($"t.e{i}"))]);
        await SettledAsync(ns, 5);

        var rounds = new List<DispatchResult>();
        do rounds.Add(await DispatchAsync(maxEvents: 2));
        while (rounds[^1].Full && rounds.Count < 10);

        Assert.Equal([2, 2, 1], rounds.Select(r => r.Deliveries));
        Assert.Equal(5, (await DeliveriesAsync()).Count);
    }

    [Fact]
    public async Task Dispatch_FromConcurrentDispatchers_MakesEachDeliveryOnce()
    {
        var ns = await NamespaceAsync();
        for (var s = 0; s < 4; s++) await SubscribeAsync(ns, $"s{s}");
        await AppendAsync(ns, [.. Enumerable.Range(0, 50).Select(i => Event($"t.e{i}"))]);

        await SettledAsync(ns, 50);
        var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 6).Select(_ => DispatchAsync(maxEvents: 7)));

        var deliveries = await DispatchUntilAsync(200);
        Assert.Equal(200, deliveries.Count);
        Assert.Equal(200, deliveries.Distinct().Count());
        Assert.True(results.Sum(r => r.Deliveries) > 0);
    }

    [Fact]
    public async Task Start_New_SkipsEarlierEvents_Position_AndTime_StartWhereAsked()
    {
        var ns = await NamespaceAsync();
        var early = await Store.Events.AppendAsync(new AppendEventsParams(ns, [Event("t.a"), Event("t.b")]) { Now = T0 });
        await SettledAsync(ns, 2);
        await SubscribeAsync(ns, "new", SubscriptionStart.New);
        await SubscribeAsync(ns, "from-position", new SubscriptionStart(SubscriptionStartKind.Position, early[0].Position));
        await SubscribeAsync(ns, "from-time", new SubscriptionStart(SubscriptionStartKind.Time, Time: T0.AddMinutes(1)));
        // A position past the newest event starts at the newest on both stores: what is appended next is delivered.
        await SubscribeAsync(ns, "from-future", new SubscriptionStart(SubscriptionStartKind.Position, early[1].Position + 1_000_000));
        var late = await Store.Events.AppendAsync(new AppendEventsParams(ns, [Event("t.c")]) { Now = T0.AddMinutes(2) });

        await DispatchUntilAsync(5);

        Assert.Equal(
            [("from-future", late[0].Position), ("from-position", early[1].Position), ("from-position", late[0].Position), ("from-time", late[0].Position), ("new", late[0].Position)],
            await DeliveriesAsync());
    }

    [Fact]
    public async Task MoveCursor_Back_DeliversTheEventsAgainAsNewDeliveries()
    {
        var ns = await NamespaceAsync();
        var sub = await SubscribeAsync(ns, "all");
        await AppendAsync(ns, Event("t.a"), Event("t.b"));
        await DispatchUntilAsync(2);

        Assert.True(await Store.Events.MoveCursorAsync(sub.Id, LogCursor.Start));
        var deliveries = await DispatchUntilAsync(4);

        Assert.Equal(4, deliveries.Count);
        Assert.Equal(2, deliveries.Distinct().Count());
        Assert.False(await Store.Events.MoveCursorAsync(sub.Id + 1000, LogCursor.Start));
    }
}
