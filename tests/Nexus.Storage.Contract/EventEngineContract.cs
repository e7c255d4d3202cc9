using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Events;
using Nexus.Hosting;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Events through the real engine: an emit becomes exactly one task per subscription, run by a plugin with
/// args from the event, or by an in-process handler; a delivery that fails its last attempt leaves the event in the
/// namespace's dead letters.</summary>
public abstract class EventEngineContract : EngineHarness
{
    private static readonly RetryPolicy Quick = new() { InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(20), Jitter = 0 };

    private static void Fast(NexusOptions o)
    {
        o.DefaultRetry = Quick;
        o.Events.DispatchInterval = TimeSpan.FromMilliseconds(50);
    }

    private static async Task<List<TaskRecord>> DeliveriesAsync(INexusTasks tasks, string queue, int count) =>
        (await Eventually.UntilAsync(() => tasks.ListAsync(new TaskQuery { Queue = queue, Limit = 100 }), p => p.Items.Count >= count,
            because: $"{count} deliveries in {queue}", describe: p => p.Items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))).Items.OrderBy(t => t.Id).ToList();

    [Fact]
    public async Task Emit_ToAPluginSubscription_RunsThePluginOncePerMatchingEvent_WithArgsFromTheEvent()
    {
        var (host, tasks) = await StartAsync(Fast);
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("shop");
        await events.SubscribeAsync(new SubscriptionRequest("shop", "probe-big-orders", "orders.*")
        {
            Target = "test.probe",
            ArgsTemplate = """{"mode":"succeed","value":"{{payload.name}} #{{position}}"}""",
            Filter = """{"payload.total":{"$gt":100}}""",
            Queue = "deliveries",
        });

        var big = await events.EmitAsync("shop", EventRequest.Of("orders.created", new { name = "big", total = 500 }) with { Priority = EventPriority.High });
        await events.EmitAsync("shop", EventRequest.Of("orders.created", new { name = "small", total = 5 }));
        await events.EmitAsync("shop", EventRequest.Of("users.created", new { name = "user", total = 900 }));
        var delivery = Assert.Single(await DeliveriesAsync(tasks, "deliveries", 1));
        var done = await WaitFinishedAsync(tasks, delivery.Id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal($"big #{big.Position}", JsonDocument.Parse(done.ResultJson!).RootElement.GetProperty("value").GetString());
        Assert.Equal((int)EventPriority.High, done.Priority);
        Assert.Equal($"event:{(await events.GetSubscriptionAsync("shop", "probe-big-orders"))!.Id}:{big.Position}", done.UniqueKey);
        // Later dispatches find nothing new for it: exactly one delivery per (subscription, event).
        await events.DispatchAsync();
        Assert.Single((await tasks.ListAsync(new TaskQuery { Queue = "deliveries", Limit = 100 })).Items);
    }

    [Fact]
    public async Task WhileNoSubscriptionExists_AppendsRunNoDispatchPass_AndTheFirstSubscriptionIsServedAtOnce()
    {
        // An interval far beyond the test: whatever runs here runs because of a wake, not the timer.
        var (host, tasks) = await StartAsync(o =>
        {
            Fast(o);
            o.Events.DispatchInterval = TimeSpan.FromMinutes(5);
        });
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var found = false;
        long passes = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name != "nexus.events.dispatch_passes" || !ReferenceEquals(instrument.Meter.Scope, factory)) return;
            found = true;
            l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref passes, value));
        listener.Start();
        Assert.True(found, "this host's dispatch pass counter");
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("quiet");

        for (var i = 0; i < 40; i++) await events.EmitAsync("quiet", EventRequest.Of("noise.made", new { i }));
        var state = host.Services.GetRequiredService<Nexus.State.INexusState>();
        var v = await state.SetAsync("quiet", "k", "0");
        for (var i = 1; i <= 20; i++) v = await state.SetAsync("quiet", "k", i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Nexus.State.StateWriteOptions { ExpectedVersion = v.Version });

        Assert.Equal(0, Interlocked.Read(ref passes));
        await events.SubscribeAsync(new SubscriptionRequest("quiet", "late", "orders.*")
        {
            Target = "test.probe",
            ArgsTemplate = """{"mode":"succeed"}""",
            Queue = "late",
        });
        await events.EmitAsync("quiet", EventRequest.Of("orders.created", new { n = 1 }));
        var delivery = Assert.Single(await DeliveriesAsync(tasks, "late", 1));
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, delivery.Id)).State);
        Assert.True(Interlocked.Read(ref passes) > 0);

        // The last subscription gone, the node is quiet again: once emits run no pass, twenty more run none either (but
        // the one pass that may have been under way when the unsubscribe returned).
        Assert.True(await events.UnsubscribeAsync("quiet", "late"));
        await Eventually.UntilAsync(async () =>
        {
            var before = Interlocked.Read(ref passes);
            await events.EmitAsync("quiet", EventRequest.Of("noise.made", new { }));
            await events.EmitAsync("quiet", EventRequest.Of("noise.made", new { }));
            return Interlocked.Read(ref passes) == before;
        }, because: "emits that run no dispatch pass after the unsubscribe");
        var quiet = Interlocked.Read(ref passes);
        for (var i = 0; i < 20; i++) await events.EmitAsync("quiet", EventRequest.Of("noise.made", new { i }));
        Assert.InRange(Interlocked.Read(ref passes) - quiet, 0, 1);
    }

    [Fact]
    public async Task MoreSubscriptionsThanOneDispatchTakes_AllGetTheirDeliveries_EvenBehindIdleOnes()
    {
        // Three subscriptions per dispatch transaction; the three lowest ids sit in a namespace that never gets an
        // event (nothing to read, so their cursors never move) and one more matches nothing that is emitted.
        var (host, tasks) = await StartAsync(o =>
        {
            Fast(o);
            o.Events.DispatchSubscriptions = 3;
        });
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("quiet");
        await events.CreateNamespaceAsync("shop");
        for (var i = 0; i < 3; i++)
        {
            await events.SubscribeAsync(new SubscriptionRequest("quiet", $"idle-{i}", "orders.>") { Target = "test.probe", ArgsTemplate = """{"value":"idle"}""", Queue = "fair" });
        }
        await events.SubscribeAsync(new SubscriptionRequest("shop", "unmatched", "users.*") { Target = "test.probe", ArgsTemplate = """{"value":"unmatched"}""", Queue = "fair" });
        var busy = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            busy.Add((await events.SubscribeAsync(new SubscriptionRequest("shop", $"busy-{i}", "orders.>")
            {
                Target = "test.probe",
                ArgsTemplate = """{"value":"at {{position}}"}""",
                Queue = "fair",
            })).Id);
        }

        var emitted = await events.EmitManyAsync("shop", [.. Enumerable.Range(0, 5).Select(i => EventRequest.Of("orders.created", new { i }))]);
        var deliveries = await DeliveriesAsync(tasks, "fair", busy.Count * emitted.Count);

        var expected = busy.SelectMany(id => emitted.Select(e => $"event:{id}:{e.Position}")).Order(StringComparer.Ordinal);
        Assert.Equal(expected, deliveries.Select(d => d.UniqueKey!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Handler_RegisteredInCode_ReceivesMatchingEvents_AndOneThatKeepsFailingEndsInDeadLetters()
    {
        var received = new ConcurrentQueue<(string Topic, int Delivery)>();
        var (host, tasks) = await StartAsync(Fast, nexus: n => n.Subscribe("user.*", (d, ct) =>
        {
            received.Enqueue((d.Event.Topic, d.Delivery));
            return d.Event.PayloadJson.Contains("broken", StringComparison.Ordinal)
                ? throw new InvalidOperationException("cannot welcome a broken user")
                : Task.CompletedTask;
        }, o => { o.Namespace = "users"; o.MaxDeliveries = 2; }));
        var events = host.Services.GetRequiredService<INexusEvents>();
        var sub = await Eventually.UntilAsync(() => events.GetSubscriptionAsync("users", "handler-user-star"), s => s is not null);
        Assert.Equal(SubscriptionActions.Handler, sub!.Action);

        await events.EmitAsync("users", EventRequest.Of("user.created", new { name = "ada" }));
        var broken = await events.EmitAsync("users", EventRequest.Of("user.updated", new { name = "broken" }));
        await events.EmitAsync("users", EventRequest.Of("order.created", new { name = "not for the handler" }));

        var letters = await Eventually.UntilAsync(() => events.ListDeadLettersAsync("users"), l => l.Count == 1, because: "a dead letter");
        Assert.Equal((broken.Position, "handler-user-star", "user.updated", 2), (letters[0].Position, letters[0].Subscription, letters[0].Topic, letters[0].Deliveries));
        Assert.Contains("cannot welcome a broken user", letters[0].Reason, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => received.Count >= 3, because: "three deliveries");
        Assert.Equal([("user.created", 1), ("user.updated", 1), ("user.updated", 2)], received.OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Delivery));
    }

    [Fact]
    public async Task Replay_DeliversARangeAgain_OnceForTheSameReplayId()
    {
        var (host, tasks) = await StartAsync(Fast);
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("shop");
        await events.SubscribeAsync(new SubscriptionRequest("shop", "probe", "orders.>")
        {
            Target = "test.probe",
            ArgsTemplate = """{"value":"{{topic}}"}""",
            Queue = "replays",
        });
        var emitted = await events.EmitManyAsync("shop", [.. Enumerable.Range(0, 3).Select(i => EventRequest.Of($"orders.e{i}", new { i }))]);
        await DeliveriesAsync(tasks, "replays", 3);

        var replay = await events.ReplayAsync(new ReplayRequest("shop", "probe") { FromPosition = emitted[1].Position, ToPosition = emitted[2].Position, ReplayId = "fix-1" });
        var again = await events.ReplayAsync(new ReplayRequest("shop", "probe") { FromPosition = emitted[1].Position, ToPosition = emitted[2].Position, ReplayId = "fix-1" });

        Assert.Equal(new ReplayResult("fix-1", 2, 2), replay);
        Assert.Equal(new ReplayResult("fix-1", 2, 0), again);
        var all = await DeliveriesAsync(tasks, "replays", 5);
        Assert.Equal(5, all.Count);
        Assert.Equal(2, all.Count(t => t.UniqueKey!.EndsWith(":rfix-1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WorkflowAction_StartsOneRunPerSubscriptionAndEvent_WithInputFromTheEvent_EvenWhenReplayed()
    {
        var (host, tasks) = await StartAsync(Fast);
        var events = host.Services.GetRequiredService<INexusEvents>();
        var workflows = host.Services.GetRequiredService<Nexus.Workflows.INexusWorkflows>();
        await workflows.RegisterAsync(Nexus.Workflows.WorkflowJson.Parse("""
            {"name":"on-order","steps":[{"id":"a","plugin":"test.probe","args":{"value":"order ${input.orderId} ${input.note}"}}]}
            """));
        await events.CreateNamespaceAsync("shop");
        var sub = await events.SubscribeAsync(new SubscriptionRequest("shop", "start-on-order", "orders.created")
        {
            Action = "workflow",
            Target = "on-order",
            ArgsTemplate = """{"orderId":"{{payload.id}}","note":"{{key}}"}""",
            Queue = "wf-deliveries",
        });
        var emitted = await events.EmitManyAsync("shop", [
            EventRequest.Of("orders.created", new { id = 7 }) with { Key = "k7" },
            EventRequest.Of("orders.created", new { id = 8 }) with { Key = "k8" },
            EventRequest.Of("orders.paid", new { id = 9 })]);

        var deliveries = await DeliveriesAsync(tasks, "wf-deliveries", 2);
        foreach (var d in deliveries) Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, d.Id)).State);
        var runs = await Eventually.UntilAsync(async () => (await workflows.ListRunsAsync(new Nexus.Storage.RunQuery { Workflow = "on-order" })).Items,
            r => r.Count == 2 && r.All(x => x.State == Nexus.Workflows.RunState.Succeeded), because: "two succeeded runs");
        Assert.Equal(["order 7 k7", "order 8 k8"], runs.Select(r => JsonDocument.Parse(r.OutputJson!).RootElement.GetProperty("a").GetProperty("value").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(emitted.Take(2).Select(e => $"event:{sub.Id}:{e.Position}"),
            deliveries.Select(d => JsonDocument.Parse(d.ArgsJson).RootElement.GetProperty("idempotencyKey").GetString()));

        // A replay makes new deliveries; their starts carry the same keys and return the first runs.
        var replay = await events.ReplayAsync(new ReplayRequest("shop", "start-on-order") { FromPosition = emitted[0].Position, ToPosition = emitted[2].Position, ReplayId = "again" });
        Assert.Equal(2, replay.Deliveries);
        var again = new List<TaskRecord>();
        foreach (var d in (await DeliveriesAsync(tasks, "wf-deliveries", 4)).Skip(2)) again.Add(await WaitFinishedAsync(tasks, d.Id));
        Assert.All(again, d => Assert.Equal(TaskState.Succeeded, d.State));
        Assert.All(again, d => Assert.False(JsonDocument.Parse(d.ResultJson!).RootElement.GetProperty("created").GetBoolean()));
        Assert.Equal(runs.Select(r => r.Id).Order(), again.Select(d => JsonDocument.Parse(d.ResultJson!).RootElement.GetProperty("runId").GetInt64()).Order());
        Assert.Equal(2, (await workflows.ListRunsAsync(new Nexus.Storage.RunQuery { Workflow = "on-order" })).Items.Count);
    }

    [Fact]
    public async Task WorkflowAction_WithoutATarget_IsRefused_NamingTheField()
    {
        var (host, _) = await StartAsync(Fast);
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("shop");

        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => events.SubscribeAsync(new SubscriptionRequest("shop", "bad", "orders.*") { Action = "workflow" }));
        var template = await Assert.ThrowsAsync<TaskValidationException>(() => events.SubscribeAsync(new SubscriptionRequest("shop", "bad", "orders.*") { Action = "workflow", Target = "w", ArgsTemplate = "[1]" }));

        Assert.Equal(("target", "argsTemplate"), (ex.Field, template.Field));
        Assert.Empty(await events.ListSubscriptionsAsync("shop"));
    }

    [Fact]
    public async Task ADeliveryWhoseLastLeaseExpires_GoesToTheDeadLetters_WithTheLeaseErrorAsTheReason()
    {
        var (host, _) = await StartAsync(Fast);
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("shop");
        await events.SubscribeAsync(new SubscriptionRequest("shop", "readers", "orders.>") { Action = SubscriptionActions.Consumer, MaxDeliveries = 1 });
        var emitted = await events.EmitAsync("shop", EventRequest.Of("orders.created", new { id = 1 }));
        await events.DispatchAsync();

        // The consumer takes its only delivery and never acks it: the lease lapses and the rescuer finds it dead.
        var received = await Eventually.UntilAsync(() => events.ReceiveAsync("shop", "readers", "c-1", 10, TimeSpan.FromSeconds(1)), r => r.Count == 1, because: "the delivery");
        var letters = await Eventually.UntilAsync(() => events.ListDeadLettersAsync("shop"), l => l.Count == 1, because: "the expired delivery's dead letter");

        var letter = letters[0];
        Assert.Equal((emitted.Position, "readers", "orders.created", received[0].Id, 1), (letter.Position, letter.Subscription, letter.Topic, letter.TaskId, letter.Deliveries));
        Assert.Contains("lease", letter.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.False(await events.AckAsync("shop", "readers", [new LeaseRef(received[0].Id, received[0].LeaseToken)]) is [true]);
    }

    [Fact]
    public async Task Lag_CountsTheEventsAfterTheCursor_AndDatesTheOldest_UntilTheyAreDispatched()
    {
        var (host, _) = await StartAsync(o =>
        {
            Fast(o);
            o.Events.Dispatch = false; // the test moves the cursor itself
        });
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("shop");
        await events.CreateNamespaceAsync("other");
        var sub = await events.SubscribeAsync(new SubscriptionRequest("shop", "readers", "orders.>") { Action = SubscriptionActions.Consumer });
        Assert.Equal(SubscriptionLag.None, await events.LagAsync(sub));

        await events.EmitManyAsync("shop", [.. Enumerable.Range(0, 3).Select(i => EventRequest.Of($"orders.e{i}", new { i }))]);
        await events.EmitAsync("other", EventRequest.Of("orders.elsewhere", new { }));
        // On PostgreSQL an event is readable once no older transaction of the cluster runs (other tests' too): wait for it.
        var first = (await Eventually.UntilAsync(() => events.ReadAsync("shop", LogCursor.Start, 10), page => page.Events.Count == 3,
            because: "the three events to be readable", describe: page => $"{page.Events.Count} events")).Events[0];
        var behind = await events.LagAsync((await events.GetSubscriptionAsync("shop", "readers"))!);
        await events.DispatchAsync();
        var caughtUp = await events.LagAsync((await events.GetSubscriptionAsync("shop", "readers"))!);

        Assert.Equal((3L, first.Time), (behind.Events, behind.Oldest));
        Assert.True(behind.AgeAt(first.Time.AddSeconds(5)) == TimeSpan.FromSeconds(5));
        Assert.Equal(SubscriptionLag.None, caughtUp);
    }

    [Fact]
    public async Task AnEventHookRegisteredInDI_IsADurableSubscription_CalledForMatchingEvents_AndRetried()
    {
        var hook = new AuditHook();
        var (host, _) = await StartAsync(Fast, services: s => s.AddSingleton<IEventHook>(hook));
        var events = host.Services.GetRequiredService<INexusEvents>();
        var sub = await Eventually.UntilAsync(() => events.GetSubscriptionAsync(Names.DefaultNamespace, "audit"), s => s is not null, because: "the hook's subscription");
        Assert.Equal((SubscriptionActions.Handler, "orders.*", 2), (sub!.Action, sub.Pattern, sub.MaxDeliveries));

        var flaky = await events.EmitAsync(Names.DefaultNamespace, EventRequest.Of("orders.created", new { flaky = true }));
        await events.EmitAsync(Names.DefaultNamespace, EventRequest.Of("users.created", new { flaky = false }));

        await Eventually.UntilAsync(() => hook.Seen.Count >= 2, because: "the hook to see the event twice (one failure, one retry)");
        Assert.Equal([(flaky.Position, 1), (flaky.Position, 2)], hook.Seen.OrderBy(x => x.Delivery));
        Assert.Empty(await events.ListDeadLettersAsync(Names.DefaultNamespace));
    }

    private sealed class AuditHook : IEventHook
    {
        public ConcurrentQueue<(long Position, int Delivery)> Seen { get; } = new();
        public string Name => "audit";
        public string Pattern => "orders.*";
        public int MaxDeliveries => 2;

        public Task OnEventAsync(EventDelivery delivery, CancellationToken cancellationToken)
        {
            Seen.Enqueue((delivery.Event.Position, delivery.Delivery));
            return delivery.Delivery == 1 ? throw new InvalidOperationException("first delivery fails") : Task.CompletedTask;
        }
    }
}
