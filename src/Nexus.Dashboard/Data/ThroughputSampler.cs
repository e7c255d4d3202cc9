using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Nexus.Observability;

namespace Nexus.Dashboard.Data;

/// <summary>
/// The overview's live charts: this node's attempt outcomes (succeeded, failed, dead) and their mean duration, per queue,
/// in 5-second buckets over the last 5 minutes, read from the engine's own metrics (the <c>Nexus</c> meter) with a
/// <see cref="MeterListener"/>. Nothing is read from the store, so the charts cost nothing at any table size. Buckets
/// are per queue so that a caller limited to queues sees only theirs.
/// </summary>
public sealed class ThroughputSampler(TimeProvider time) : IHostedService, IDisposable
{
    public static readonly TimeSpan BucketWidth = TimeSpan.FromSeconds(5);
    public const int BucketCount = 60;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Bucket[]> _byQueue = new(StringComparer.Ordinal);
    private MeterListener? _listener;

    private sealed class Bucket
    {
        public long Slot;
        public long Succeeded;
        public long Failed;
        public long Dead;
        public double DurationSum;
        public long DurationCount;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NexusTelemetry.MeterName && instrument.Name is "nexus.tasks.succeeded" or "nexus.tasks.failed" or "nexus.tasks.dead" or "nexus.task.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, QueueOf(tags)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument.Name, value, QueueOf(tags)));
        listener.Start();
        _listener = listener;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
    }

    private static string QueueOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "queue" && tag.Value is string queue) return queue;
        }
        return "default";
    }

    private long SlotNow() => time.GetUtcNow().ToUnixTimeMilliseconds() / (long)BucketWidth.TotalMilliseconds;

    private void Record(string instrument, double value, string queue)
    {
        var slot = SlotNow();
        lock (_gate)
        {
            if (!_byQueue.TryGetValue(queue, out var ring))
            {
                if (_byQueue.Count >= 1000) return; // a bound on memory, whatever the number of queues
                _byQueue[queue] = ring = [.. Enumerable.Range(0, BucketCount).Select(_ => new Bucket { Slot = -1 })];
            }
            var bucket = ring[(int)(slot % BucketCount)];
            if (bucket.Slot != slot)
            {
                bucket.Slot = slot;
                bucket.Succeeded = bucket.Failed = bucket.Dead = bucket.DurationCount = 0;
                bucket.DurationSum = 0;
            }
            switch (instrument)
            {
                case "nexus.tasks.succeeded": bucket.Succeeded += (long)value; break;
                case "nexus.tasks.failed": bucket.Failed += (long)value; break;
                case "nexus.tasks.dead": bucket.Dead += (long)value; break;
                default:
                    bucket.DurationSum += value;
                    bucket.DurationCount++;
                    break;
            }
        }
    }

    /// <summary>The last <see cref="BucketCount"/> buckets, oldest first, summed over the queues <paramref name="visible"/> allows.</summary>
    public IReadOnlyList<ThroughputPoint> Series(Func<string, bool> visible)
    {
        var now = SlotNow();
        var points = new ThroughputPoint[BucketCount];
        var sums = new (long S, long F, long D, double Sum, long Count)[BucketCount];
        lock (_gate)
        {
            foreach (var (queue, ring) in _byQueue)
            {
                if (!visible(queue)) continue;
                foreach (var bucket in ring)
                {
                    var age = now - bucket.Slot;
                    if (bucket.Slot < 0 || age < 0 || age >= BucketCount) continue;
                    ref var s = ref sums[BucketCount - 1 - age];
                    s = (s.S + bucket.Succeeded, s.F + bucket.Failed, s.D + bucket.Dead, s.Sum + bucket.DurationSum, s.Count + bucket.DurationCount);
                }
            }
        }
        for (var i = 0; i < BucketCount; i++)
        {
            var s = sums[i];
            points[i] = new ThroughputPoint(s.S, s.F, s.D, s.Count == 0 ? null : s.Sum / s.Count);
        }
        return points;
    }
}

/// <summary>One bucket of the overview's charts.</summary>
/// <param name="Succeeded">Attempts that succeeded.</param>
/// <param name="Failed">Attempts that failed and will be retried.</param>
/// <param name="Dead">Tasks that went dead.</param>
/// <param name="MeanSeconds">Mean attempt duration, or null without attempts.</param>
public sealed record ThroughputPoint(long Succeeded, long Failed, long Dead, double? MeanSeconds);
