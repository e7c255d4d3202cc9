using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Nexus.State;
using Nexus.Storage;

namespace Nexus.Bench;

/// <summary>Compare-and-set state writes at the store level (no HTTP): <c>--cas-clients</c> clients (16), each
/// writing its own key for <c>--cas-seconds</c> (10) with the version it last wrote as the expected version, so every
/// write is a CAS that must succeed. A lost write (a conflict on a key nobody else writes) is counted as lost.
/// <c>--cas-via state</c> writes through the hosted <see cref="INexusState"/> instead (the API's path).</summary>
internal sealed class CasWorkload(BenchStores stores, BenchOptions options)
{
    public async Task<WorkloadResult> RunAsync()
    {
        var db = await stores.NewDatabaseAsync();
        await using var store = db.Open();
        await store.MigrateAsync();
        using var host = options.CasVia == "state" ? await BenchHost.StartAsync(db, new BenchProbe(), _ => { }) : null;
        var state = host?.Services.GetRequiredService<INexusState>();
        if (host is not null) await host.Services.GetRequiredService<Nexus.Events.INexusEvents>().CreateNamespaceAsync("bench");
        // Through INexusState a write and its change in the log commit in one unit of work; a conflict throws.
        async Task<StateWriteResult> WriteAsync(string key, string value, long expected)
        {
            if (state is null) return await store.State.SetAsync(new SetStateParams("bench", key, value) { ExpectedVersion = expected, HistoryLimit = 10 });
            try
            {
                var entry = await state.SetAsync("bench", key, value, new StateWriteOptions { ExpectedVersion = expected });
                return new StateWriteResult(true, entry, entry.Version);
            }
            catch (StateConflictException ex)
            {
                return new StateWriteResult(false, null, ex.CurrentVersion);
            }
        }
        var clients = options.CasClients;
        var latencies = new ConcurrentBag<double>();
        var conflicts = 0;
        var writes = 0;
        // Warm up: create every key (and the pool's connections) before timing.
        var versions = new long[clients];
        for (var c = 0; c < clients; c++)
        {
            versions[c] = (await WriteAsync($"cas-{c}", "{\"n\":0}", 0)).Version;
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
                var result = await WriteAsync($"cas-{c}", "{\"n\":" + n.ToString(CultureInfo.InvariantCulture) + "}", versions[c]);
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
        if (host is not null) await host.StopAsync();
        await db.Drop();
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 2);
        return new WorkloadResult(stores.Kind, options.CasVia == "state" ? "cas-state" : "cas", writes, new Dictionary<string, double>
        {
            ["clients"] = clients,
            ["casWritesPerSec"] = Math.Round(writes / elapsed),
            ["p50Ms"] = P(0.50),
            ["p99Ms"] = P(0.99),
        }, conflicts, 0);
    }
}
