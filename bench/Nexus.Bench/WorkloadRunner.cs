using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Bench;

/// <summary>The published workloads. Producers and workers run in this process, on the engine's public API.</summary>
internal sealed class WorkloadRunner(BenchStores stores, BenchOptions options)
{
    private readonly BenchProbe _probe = new();

    private Task<IHost> StartHostAsync(BenchDatabase db, bool workers, Action<NexusOptions>? configure = null) =>
        BenchHost.StartAsync(db, _probe, o =>
        {
            o.RunWorkers = workers;
            o.Concurrency = 512;
            o.ClaimBatchSize = 512;
            o.CompletionBatchSize = 1000;
            o.PollInterval = TimeSpan.FromMilliseconds(200);
            if (int.TryParse(Environment.GetEnvironmentVariable("NEXUS_BENCH_CLAIM_LOOPS"), out var loops)) o.ClaimLoops = loops;
            configure?.Invoke(o);
        });

    private static TaskRequest Noop(int n) => new("bench.noop", $$"""{"n":{{n}}}""");

    /// <summary>Waits until every task has started (an in-process counter, free to poll), then until the store
    /// shows them succeeded (completions are written in batches just after). Counting rows in the database every
    /// few milliseconds would itself load the database it measures.</summary>
    private async Task WaitSucceededAsync(INexusStore store, long expected, TimeSpan timeout, int startedTarget = -1)
    {
        var deadline = Stopwatch.StartNew();
        if (startedTarget >= 0)
        {
            while (_probe.Started < startedTarget)
            {
                if (deadline.Elapsed > timeout) throw new TimeoutException($"Only {_probe.Started} of {startedTarget} tasks started within {timeout}.");
                await Task.Delay(2);
            }
        }
        while (true)
        {
            var counts = await store.Tasks.CountAsync();
            var done = counts.Sum(c => c.Counts.GetValueOrDefault(TaskState.Succeeded));
            if (done >= expected) return;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Only {done} of {expected} tasks succeeded within {timeout}.");
            await Task.Delay(25);
        }
    }


    public async Task<WorkloadResult> W1BulkAsync()
    {
        var n = options.W1Tasks;
        _probe.Reset(n);
        var db = await stores.NewDatabaseAsync();
        long history = options.History;
        double submitRate;
        using (var submitter = await StartHostAsync(db, workers: false))
        {
            var tasks = submitter.Services.GetRequiredService<INexusTasks>();
            if (options.History > 0) await db.SeedHistory(options.History);
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i += 1000)
            {
                await tasks.SubmitManyAsync([.. Enumerable.Range(i, Math.Min(1000, n - i)).Select(Noop)]);
            }
            submitRate = n / sw.Elapsed.TotalSeconds;
            await submitter.StopAsync();
        }
        var rssBefore = Rss.Current();
        var drain = Stopwatch.StartNew();
        using var worker = await StartHostAsync(db, workers: true, o => o.Queues = ["default"]);
        var store = worker.Services.GetRequiredService<INexusStore>();
        await WaitSucceededAsync(store, n + history, TimeSpan.FromMinutes(10), n);
        var drainRate = n / drain.Elapsed.TotalSeconds;
        await worker.StopAsync();
        var (lost, dup) = _probe.Check(n);
        await db.Drop();
        return new WorkloadResult(stores.Kind, "w1", n, new Dictionary<string, double>
        {
            ["submitPerSec"] = Math.Round(submitRate),
            ["drainPerSec"] = Math.Round(drainRate),
            ["historyRows"] = history,
            ["rssBeforeMb"] = rssBefore,
            ["peakRssMb"] = Rss.Peak(),
        }, lost, dup);
    }

    public async Task<WorkloadResult> W2SingleAsync()
    {
        var n = options.W2Tasks;
        _probe.Reset(n);
        var db = await stores.NewDatabaseAsync();
        using var host = await StartHostAsync(db, workers: false);
        var tasks = host.Services.GetRequiredService<INexusTasks>();
        var latencies = new double[n];
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var start = Stopwatch.GetTimestamp();
                await tasks.SubmitJsonAsync("bench.noop", $$"""{"n":{{i}}}""");
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        var rate = n / sw.Elapsed.TotalSeconds;
        var store = host.Services.GetRequiredService<INexusStore>();
        var stored = (await store.Tasks.CountAsync()).Sum(c => c.Counts.Values.Sum());
        await host.StopAsync();
        await db.Drop();
        Array.Sort(latencies);
        return new WorkloadResult(stores.Kind, "w2", n, new Dictionary<string, double>
        {
            ["submitPerSec"] = Math.Round(rate),
            ["p50Ms"] = Pct(latencies, 50),
            ["p99Ms"] = Pct(latencies, 99),
        }, (int)Math.Max(0, n - stored), (int)Math.Max(0, stored - n));
    }

    public async Task<WorkloadResult> W3LatencyAsync()
    {
        var n = options.W3Tasks;
        _probe.Reset(n);
        var db = await stores.NewDatabaseAsync();
        using var host = await StartHostAsync(db, workers: true, o =>
        {
            o.Concurrency = 16;
            o.ClaimBatchSize = 16;
            o.PollInterval = TimeSpan.FromSeconds(1);
        });
        var tasks = host.Services.GetRequiredService<INexusTasks>();
        var submitted = new long[n];
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            // 1,000 a second: wait for this task's slot on the timeline, then submit.
            await Pacer.UntilAsync(pace, TimeSpan.FromMilliseconds(i));
            submitted[i] = Stopwatch.GetTimestamp();
            await tasks.SubmitJsonAsync("bench.noop", $$"""{"n":{{i}}}""");
        }
        await WaitSucceededAsync(host.Services.GetRequiredService<INexusStore>(), n, TimeSpan.FromMinutes(2), n);
        await host.StopAsync();
        var (lost, dup) = _probe.Check(n);
        await db.Drop();
        var latencies = Enumerable.Range(0, n).Select(i => Stopwatch.GetElapsedTime(submitted[i], _probe.StartTicks(i)).TotalMilliseconds).Order().ToArray();
        return new WorkloadResult(stores.Kind, "w3", n, new Dictionary<string, double>
        {
            ["p50Ms"] = Pct(latencies, 50),
            ["p95Ms"] = Pct(latencies, 95),
            ["p99Ms"] = Pct(latencies, 99),
        }, lost, dup);
    }

    public async Task<WorkloadResult> W4SustainedAsync()
    {
        const int Capacity = 20_000_000;
        _probe.Reset(Capacity);
        var db = await stores.NewDatabaseAsync();
        using var host = await StartHostAsync(db, workers: true);
        var tasks = host.Services.GetRequiredService<INexusTasks>();
        var store = host.Services.GetRequiredService<INexusStore>();
        var submittedCount = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.W4Seconds));
        var backlog = new List<double>();
        var rss = new List<double>();
        var anon = new List<double>();
        var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Producers keep a bounded backlog: they slow down when workers fall behind, as real ones should.
                if (Volatile.Read(ref submittedCount) - _probe.Started > 50_000)
                {
                    await Task.Delay(5);
                    continue;
                }
                var first = Interlocked.Add(ref submittedCount, 200) - 200;
                await tasks.SubmitManyAsync([.. Enumerable.Range(first, 200).Select(Noop)]);
            }
        })).ToList();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                backlog.Add(Volatile.Read(ref submittedCount) - _probe.Started);
                rss.Add(Rss.Current());
                anon.Add(Rss.Anonymous());
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(producers);
        await sampler;
        var total = Volatile.Read(ref submittedCount);
        await WaitSucceededAsync(store, total, TimeSpan.FromMinutes(5), total);
        var elapsed = sw.Elapsed.TotalSeconds;
        await host.StopAsync();
        var (lost, dup) = _probe.Check(total);
        await db.Drop();
        return new WorkloadResult(stores.Kind, "w4", total, new Dictionary<string, double>
        {
            ["throughputPerSec"] = Math.Round(total / elapsed),
            ["maxBacklog"] = backlog.Count == 0 ? 0 : backlog.Max(),
            ["rssFirstMb"] = rss.FirstOrDefault(),
            ["rssLastMb"] = rss.LastOrDefault(),
            // RSS counts the SQLite file's pages that mmap brought in; the anonymous part is the process's own heap.
            ["rssAnonFirstMb"] = anon.FirstOrDefault(),
            ["rssAnonLastMb"] = anon.LastOrDefault(),
            ["peakRssMb"] = Rss.Peak(),
        }, lost, dup) { Series = rss };
    }

    private static double Pct(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)], 3);
}

internal static class Rss
{
    public static double Current() => Read("VmRSS:");
    public static double Peak() => Read("VmHWM:");
    /// <summary>Resident memory not backed by a file: heaps and stacks, without mapped database pages.</summary>
    public static double Anonymous() => Read("RssAnon:");

    private static double Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return Math.Round(double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024, 1);
            }
        }
        return 0;
    }
}
