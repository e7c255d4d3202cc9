using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Nexus.Storage;

namespace Nexus.Bench;

/// <summary>Compare-and-set state writes at the store level (no HTTP): <c>--cas-clients</c> clients (16), each
/// writing its own key for <c>--cas-seconds</c> (10) with the version it last wrote as the expected version, so every
/// write is a CAS that must succeed. A lost write (a conflict on a key nobody else writes) is counted as lost.</summary>
internal sealed class CasWorkload(BenchStores stores, BenchOptions options)
{
    public async Task<WorkloadResult> RunAsync()
    {
        var db = await stores.NewDatabaseAsync();
        await using var store = db.Open();
        await store.MigrateAsync();
        var clients = options.CasClients;
        var latencies = new ConcurrentBag<double>();
        var conflicts = 0;
        var writes = 0;
        // Warm up: create every key (and the pool's connections) before timing.
        var versions = new long[clients];
        for (var c = 0; c < clients; c++)
        {
            versions[c] = (await store.State.SetAsync(new SetStateParams("bench", $"cas-{c}", "{\"n\":0}") { ExpectedVersion = 0 })).Version;
        }
        var until = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(options.CasSeconds);
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<double>();
            var n = 0;
            while (until.Elapsed < duration)
            {
                n++;
                var t = Stopwatch.GetTimestamp();
                var result = await store.State.SetAsync(new SetStateParams("bench", $"cas-{c}", "{\"n\":" + n.ToString(CultureInfo.InvariantCulture) + "}") { ExpectedVersion = versions[c], HistoryLimit = 10 });
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (!result.Written)
                {
                    Interlocked.Increment(ref conflicts);
                    versions[c] = result.Version;
                    continue;
                }
                versions[c] = result.Version;
                Interlocked.Increment(ref writes);
            }
            foreach (var l in mine) latencies.Add(l);
        })).ToList();
        await Task.WhenAll(workers);
        var elapsed = until.Elapsed.TotalSeconds;
        await db.Drop();
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 2);
        return new WorkloadResult(stores.Kind, "cas", writes, new Dictionary<string, double>
        {
            ["clients"] = clients,
            ["casWritesPerSec"] = Math.Round(writes / elapsed),
            ["p50Ms"] = P(0.50),
            ["p99Ms"] = P(0.99),
        }, conflicts, 0);
    }
}
