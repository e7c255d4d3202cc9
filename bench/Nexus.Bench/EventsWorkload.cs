using System.Diagnostics;
using Nexus.Events;
using Nexus.Storage;

namespace Nexus.Bench;

/// <summary>Events on the store: appends in batches of 1,000, single appends from 8 concurrent writers, and fan-out
/// (the dispatcher's transaction: read the log, insert one delivery task per subscription and event, move the cursor)
/// to 10 subscriptions.</summary>
internal sealed class EventsWorkload(BenchStores stores)
{
    private const int Batched = 50_000, Single = 4_000, FanOutEvents = 5_000, Subscriptions = 10;

    public async Task<WorkloadResult> RunAsync()
    {
        var db = await stores.NewDatabaseAsync();
        await using var store = db.Open();
        await store.MigrateAsync();
        await store.Events.CreateNamespaceAsync(new NewNamespace("bench"));
        static NewEvent E(int i) => new() { Topic = "bench.e" + (i % 10), PayloadJson = "{\"n\":" + i + "}" };

        var sw = Stopwatch.StartNew();
        for (var i = 0; i < Batched; i += 1000)
        {
            await store.Events.AppendAsync(new AppendEventsParams("bench", [.. Enumerable.Range(i, 1000).Select(E)]));
        }
        var batchedRate = Batched / sw.Elapsed.TotalSeconds;

        sw.Restart();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < Single; i += 8) await store.Events.AppendAsync(new AppendEventsParams("bench", [E(i)]));
        })));
        var singleRate = Single / sw.Elapsed.TotalSeconds;

        await store.Events.CreateNamespaceAsync(new NewNamespace("fanout"));
        for (var s = 0; s < Subscriptions; s++)
        {
            await store.Events.CreateSubscriptionAsync(new NewSubscription
            {
                Namespace = "fanout", Name = "s" + s, Pattern = "bench.>", Action = SubscriptionActions.Plugin, Target = "bench.noop",
                Queue = "fanout", MaxDeliveries = 3, Start = SubscriptionStart.All,
            });
        }
        for (var i = 0; i < FanOutEvents; i += 1000)
        {
            await store.Events.AppendAsync(new AppendEventsParams("fanout", [.. Enumerable.Range(i, 1000).Select(E)]));
        }
        sw.Restart();
        var delivered = 0;
        var expected = FanOutEvents * Subscriptions;
        var rounds = 0;
        while (delivered < expected && rounds++ < 10_000)
        {
            var r = await store.Events.DispatchAsync(new DispatchParams(Subscriptions, 500), (sub, events) =>
                [.. events.Select(e => new NewTask { Plugin = "bench.noop", ArgsJson = "{}", Queue = "fanout", MaxAttempts = 3, UniqueKey = $"event:{sub.Id}:{e.Position}" })]);
            delivered += r.Deliveries;
            if (r.EventsRead == 0) await Task.Yield();
        }
        var fanOutRate = delivered / sw.Elapsed.TotalSeconds;
        await db.Drop();
        return new WorkloadResult(stores.Kind, "events", Batched + Single, new Dictionary<string, double>
        {
            ["emitBatchedPerSec"] = Math.Round(batchedRate),
            ["emitSinglePerSec"] = Math.Round(singleRate),
            ["fanOutDeliveriesPerSec"] = Math.Round(fanOutRate),
        }, Math.Max(0, expected - delivered), Math.Max(0, delivered - expected));
    }
}
