using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Events;
using Nexus.Hosting;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Per-key order through the real engine: in a subscription with <c>orderedByKey</c>, the deliveries of one key
/// run one at a time in log order (the next waits while the previous one is retried, and goes on once it is dead),
/// while different keys, and events without a key, run in parallel.</summary>
public abstract class DeliveryOrderContract : EngineHarness
{
    private const int Keys = 4;
    private const int PerKey = 8;
    private const int Unkeyed = 4;
    private const int MaxDeliveries = 2;

    [Fact]
    public async Task OrderedByKey_OneKeyRunsOneAtATime_InLogOrder_ThroughRetriesAndADeadOne_OtherKeysInParallel()
    {
        var recorder = new Recorder();
        var (host, _) = await StartAsync(o =>
        {
            o.Concurrency = 8;
            o.DefaultRetry = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(20), Jitter = 0 };
            o.Events.DispatchInterval = TimeSpan.FromMilliseconds(50);
        }, nexus: n => n.Subscribe("orders.>", recorder.HandleAsync, o =>
        {
            o.Namespace = "shop";
            o.Name = "ordered";
            o.Queue = "ordered";
            o.MaxDeliveries = MaxDeliveries;
            o.OrderedByKey = true;
        }));
        var events = host.Services.GetRequiredService<INexusEvents>();
        var sub = await Eventually.UntilAsync(() => events.GetSubscriptionAsync("shop", "ordered"), s => s is not null, because: "the handler's subscription");
        Assert.True(sub!.OrderedByKey);

        // Grouped by key, so that without the order the workers would take one key's deliveries together. The second
        // event of k1 fails once (its successor must wait for the retry); the fourth of k2 always fails (it ends dead
        // after two deliveries, and its successor must go on then).
        var requests = new List<EventRequest>();
        for (var k = 0; k < Keys; k++)
        {
            for (var i = 0; i < PerKey; i++)
            {
                var mode = (k, i) switch { (1, 1) => "flaky", (2, 3) => "broken", _ => "ok" };
                requests.Add(EventRequest.Of("orders.updated", new { mode, i }) with { Key = $"k{k}" });
            }
        }
        requests.AddRange(Enumerable.Range(0, Unkeyed).Select(i => EventRequest.Of("orders.noted", new { mode = "ok", i })));
        var emitted = await events.EmitManyAsync("shop", requests);

        await Eventually.UntilAsync(() => Task.FromResult(recorder.Finished), n => n == (Keys * PerKey) + Unkeyed,
            because: "every delivery to finish (succeed, or die after its last)", describe: n => n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var letters = await Eventually.UntilAsync(() => events.ListDeadLettersAsync("shop"), l => l.Count == 1, because: "the broken event's dead letter");

        Assert.Empty(recorder.Overlaps);
        for (var k = 0; k < Keys; k++)
        {
            var expected = emitted.Skip(k * PerKey).Take(PerKey).Select(e => e.Position);
            Assert.Equal(expected, recorder.StartsOf($"k{k}"));
        }
        Assert.True(recorder.KeysRanInParallel, "the first deliveries of the four keys never ran at the same time");
        Assert.Equal(emitted[(2 * PerKey) + 3].Position, letters[0].Position);
        Assert.Equal(2, recorder.DeliveriesOf(emitted[PerKey + 1].Position));
        // Deliveries are inserted waiting and released one by one: the kept counts follow every move.
        await KeptCounts.AssertMatchTheTableAsync(LastStore!, "ordered");
    }

    /// <summary>The handler: records starts per key, and any start while the same key is still running.</summary>
    private sealed class Recorder
    {
        private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _starts = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<long, int> _deliveries = new();
        private readonly TaskCompletionSource _allHeadsStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);
        private int _headsStarted;
        private int _finished;

        public ConcurrentQueue<string> Overlaps { get; } = new();
        public bool KeysRanInParallel => _allHeadsStarted.Task.IsCompletedSuccessfully;
        public int Finished => Volatile.Read(ref _finished);

        /// <summary>Each key's starts in order, a retry of the same event counted once.</summary>
        public List<long> StartsOf(string key)
        {
            var list = new List<long>();
            foreach (var p in _starts.GetValueOrDefault(key) ?? []) if (list.Count == 0 || list[^1] != p) list.Add(p);
            return list;
        }

        public int DeliveriesOf(long position) => _deliveries.GetValueOrDefault(position);

        public async Task HandleAsync(EventDelivery d, CancellationToken cancellationToken)
        {
            var e = d.Event;
            _deliveries.AddOrUpdate(e.Position, 1, (_, n) => n + 1);
            var mode = System.Text.Json.JsonDocument.Parse(e.PayloadJson).RootElement.GetProperty("mode").GetString();
            var last = d.Delivery >= MaxDeliveries;
            var fails = mode == "broken" || (mode == "flaky" && d.Delivery == 1);
            try
            {
                if (e.Key is not { } key) return;
                if (_running.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Overlaps.Enqueue($"{key} at {e.Position}");
                _starts.GetOrAdd(key, _ => new ConcurrentQueue<long>()).Enqueue(e.Position);
                try
                {
                    if (_seen.TryAdd(key, true))
                    {
                        // The first delivery of every key waits for the others' (bounded): they can only all be running
                        // together if different keys run in parallel.
                        if (Interlocked.Increment(ref _headsStarted) == Keys) _allHeadsStarted.TrySetResult();
                        await Task.WhenAny(_allHeadsStarted.Task, Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
                    }
                    if (fails) throw new InvalidOperationException($"planned failure of {e.Position}");
                }
                finally
                {
                    _running.AddOrUpdate(key, 0, (_, n) => n - 1);
                }
            }
            finally
            {
                if (!fails || last) Interlocked.Increment(ref _finished);
            }
        }
    }
}
