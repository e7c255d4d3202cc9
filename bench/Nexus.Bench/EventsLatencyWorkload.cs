using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Events;

namespace Nexus.Bench;

/// <summary>Event delivery on the real hosted engine (issue 11): (a) single emits paced at 1,000/s into one
/// subscription whose target is a no-op plugin, measuring emit commit → delivery-task start (after a first 3-second pass reported as "cold…", the process's warm-up); (b) emits paced at
/// 5,000/s (batches of 50 every 10 ms) into ten subscriptions, sampling every second the cursor lag (events after the
/// slowest cursor) and the deliveries not yet started, to see whether the lag stays bounded. Every (event,
/// subscription) delivery must start exactly once.</summary>
internal sealed class EventsLatencyWorkload(BenchStores stores, BenchOptions options)
{
    private const int LatencyRate = 1_000, LagRate = 5_000, LagBatch = 50, LagSubscriptions = 10, ColdSeconds = 3;
    private readonly EventLatencyProbe _probe = new();

    public async Task<WorkloadResult> RunAsync()
    {
        var seconds = options.EventsSeconds;
        var db = await stores.NewDatabaseAsync();
        var figures = new Dictionary<string, double>();
        var series = new List<double>();
        var (lost, duplicated) = (0, 0);
        using (var host = await BenchHost.StartAsync(db, new BenchProbe(), o => o.RunWorkers = true, plugins: n =>
        {
            n.Services.AddSingleton(_probe);
            n.AddPlugin<EventProbePlugin>();
        }))
        {
            var events = host.Services.GetRequiredService<INexusEvents>();
            // The first seconds of a process run mostly the JIT (tiered recompilation of the hot paths took a fifth of the
            // process's CPU in a perf profile of them): a first, shorter pass of (a) is reported apart, as "cold…".
            var cold = new Dictionary<string, double>();
            var (l, d) = await LatencyAsync(events, "latency-cold", ColdSeconds, cold);
            foreach (var (name, value) in cold) figures["cold" + char.ToUpperInvariant(name[0]) + name[1..]] = value;
            (lost, duplicated) = (lost + l, duplicated + d);
            (l, d) = await LatencyAsync(events, "latency", seconds, figures);
            (lost, duplicated) = (lost + l, duplicated + d);
            (l, d) = await LagAsync(events, seconds, figures, series);
            (lost, duplicated) = (lost + l, duplicated + d);
            await host.StopAsync();
        }
        await db.Drop();
        var total = (ColdSeconds + seconds) * LatencyRate + seconds * LagRate * LagSubscriptions;
        return new WorkloadResult(stores.Kind, "events-latency", total, figures, lost, duplicated) { Series = series };
    }

    private static async Task SubscribeAsync(INexusEvents events, string ns, int count)
    {
        await events.CreateNamespaceAsync(ns);
        for (var s = 0; s < count; s++)
        {
            await events.SubscribeAsync(new SubscriptionRequest(ns, "s" + s.ToString(CultureInfo.InvariantCulture), "bench.>")
            {
                Target = "bench.event",
                ArgsTemplate = $$$"""{"n":"{{payload.n}}","s":{{{s}}}}""",
                MaxDeliveries = 3,
            });
        }
    }

    private static EventRequest E(int n) => new("bench.e" + (n % 10).ToString(CultureInfo.InvariantCulture), $$"""{"n":{{n}}}""");

    private async Task<(int, int)> LatencyAsync(INexusEvents events, string ns, int seconds, Dictionary<string, double> figures)
    {
        var count = seconds * LatencyRate;
        _probe.Reset(count, 1);
        await SubscribeAsync(events, ns, 1);
        var committed = new long[count];
        var called = new long[count];
        using var inFlight = new SemaphoreSlim(64);
        var pending = new List<Task>(count);
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await Pacer.UntilAsync(pace, TimeSpan.FromMilliseconds(i * 1000.0 / LatencyRate));
            await inFlight.WaitAsync();
            var n = i;
            called[n] = Stopwatch.GetTimestamp();
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    await events.EmitAsync(ns, E(n));
                    committed[n] = Stopwatch.GetTimestamp();
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }
        await Task.WhenAll(pending);
        figures["latencyEmitSec"] = Math.Round(pace.Elapsed.TotalSeconds, 2);
        await DrainAsync(count, TimeSpan.FromMinutes(2));
        // A delivery can start before the emitter has seen its commit return: such a latency counts as 0.
        var latency = Enumerable.Range(0, count).Select(i => Math.Max(0, Stopwatch.GetElapsedTime(committed[i], _probe.StartTicks(i, 0)).TotalMilliseconds)).Order().ToArray();
        var commit = Enumerable.Range(0, count).Select(i => Stopwatch.GetElapsedTime(called[i], committed[i]).TotalMilliseconds).Order().ToArray();
        figures["emitCommitP50Ms"] = Pct(commit, 50);
        figures["emitCommitP99Ms"] = Pct(commit, 99);
        figures["deliveryStartP50Ms"] = Pct(latency, 50);
        figures["deliveryStartP95Ms"] = Pct(latency, 95);
        figures["deliveryStartP99Ms"] = Pct(latency, 99);
        figures["deliveryStartMaxMs"] = Pct(latency, 100);
        // End to end, from the emit call (what an emitter that does not wait for the commit sees).
        var fromCall = Enumerable.Range(0, count).Select(i => Stopwatch.GetElapsedTime(called[i], _probe.StartTicks(i, 0)).TotalMilliseconds).Order().ToArray();
        figures["callToStartP50Ms"] = Pct(fromCall, 50);
        figures["callToStartP99Ms"] = Pct(fromCall, 99);
        return _probe.Check();
    }

    private async Task<(int, int)> LagAsync(INexusEvents events, int seconds, Dictionary<string, double> figures, List<double> series)
    {
        var count = seconds * LagRate;
        var expected = count * LagSubscriptions;
        _probe.Reset(count, LagSubscriptions);
        await SubscribeAsync(events, "lag", LagSubscriptions);
        var emitted = 0;
        var cursorLag = new List<long>();
        var pendingLag = new List<long>();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                long behind = 0;
                foreach (var sub in await events.ListSubscriptionsAsync("lag", stop.Token))
                {
                    behind = Math.Max(behind, (await events.LagAsync(sub, stop.Token)).Events);
                }
                cursorLag.Add(behind);
                pendingLag.Add((long)Volatile.Read(ref emitted) * LagSubscriptions - _probe.Started);
            }
        });
        using var inFlight = new SemaphoreSlim(16);
        var pending = new List<Task>();
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < count; i += LagBatch)
        {
            await Pacer.UntilAsync(pace, TimeSpan.FromMilliseconds(i * 1000.0 / LagRate));
            await inFlight.WaitAsync();
            var first = i;
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    await events.EmitManyAsync("lag", [.. Enumerable.Range(first, LagBatch).Select(E)]);
                    Interlocked.Add(ref emitted, LagBatch);
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }
        await Task.WhenAll(pending);
        var emitSeconds = pace.Elapsed.TotalSeconds;
        var samples = cursorLag.Count;
        var drain = Stopwatch.StartNew();
        await DrainAsync(expected, TimeSpan.FromMinutes(3));
        var drainSeconds = drain.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        try
        {
            await sampler;
        }
        catch (OperationCanceledException)
        {
        }
        var during = pendingLag.Take(samples).ToArray();
        var cursors = cursorLag.Take(samples).ToArray();
        figures["lagEmitSec"] = Math.Round(emitSeconds, 2);
        figures["lagEmitPerSec"] = Math.Round(count / emitSeconds);
        figures["cursorLagMaxEvents"] = cursors.DefaultIfEmpty(0).Max();
        figures["cursorLagFinalEvents"] = cursors.DefaultIfEmpty(0).Last();
        figures["pendingMaxDeliveries"] = during.DefaultIfEmpty(0).Max();
        figures["pendingFinalDeliveries"] = during.DefaultIfEmpty(0).Last();
        figures["drainAfterEmitSec"] = Math.Round(drainSeconds, 2);
        figures["deliveriesPerSec"] = Math.Round(expected / (emitSeconds + drainSeconds));
        // Bounded: over the second half of the run the pending deliveries grow by less than 5% of the offered rate.
        var slope = Slope(during.Skip(during.Length / 2).ToArray());
        figures["pendingSlopePerSec"] = Math.Round(slope);
        figures["lagBounded"] = slope < 0.05 * LagRate * LagSubscriptions ? 1 : 0;
        series.AddRange(during.Select(v => (double)v));
        return _probe.Check();
    }

    private async Task DrainAsync(int expected, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (_probe.Started < expected)
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"Only {_probe.Started} of {expected} deliveries started within {timeout}.");
            await Task.Delay(5);
        }
    }

    /// <summary>The least-squares slope of <paramref name="y"/> sampled once a second (0 with under 2 samples).</summary>
    private static double Slope(long[] y)
    {
        if (y.Length < 2) return 0;
        var mx = (y.Length - 1) / 2.0;
        var my = y.Average();
        double num = 0, den = 0;
        for (var i = 0; i < y.Length; i++)
        {
            num += (i - mx) * (y[i] - my);
            den += (i - mx) * (i - mx);
        }
        return num / den;
    }

    private static double Pct(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p / 100 * sorted.Length) - 1))], 3);
}
