using System.Diagnostics;
using Nexus.Storage;

namespace Nexus.Bench;

/// <summary>W1 without the engine: the same rows drained by claim(1000) → complete(all) in a loop, to split the
/// store's share of a drain from the engine's; then 5,000 single inserts, one awaited at a time (the defaults workload's
/// single submits without the engine).</summary>
internal sealed class StoreOnlyWorkload(BenchStores stores, BenchOptions options)
{
    public async Task<WorkloadResult> RunAsync()
    {
        var n = options.W1Tasks;
        var db = await stores.NewDatabaseAsync();
        await using var store = db.Open();
        await store.MigrateAsync();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i += 5000)
        {
            var rows = Enumerable.Range(i, Math.Min(5000, n - i))
                .Select(k => new NewTask { Plugin = "bench.noop", ArgsJson = "{\"n\":" + k + "}", Queue = "default", MaxAttempts = 3 })
                .ToList();
            await store.Tasks.InsertAsync(new InsertTasksParams(rows));
        }
        var insertRate = n / sw.Elapsed.TotalSeconds;
        sw.Restart();
        double claimMs = 0, completeMs = 0;
        var drained = 0;
        var seen = new HashSet<long>();
        var duplicated = 0;
        while (true)
        {
            var t = Stopwatch.GetTimestamp();
            var batch = await store.Tasks.ClaimAsync(new ClaimParams("bench", 1000, TimeSpan.FromMinutes(1)) { Plugins = ["bench.noop"] });
            claimMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (batch.Count == 0) break;
            duplicated += batch.Count(r => !seen.Add(r.Id));
            t = Stopwatch.GetTimestamp();
            await store.Tasks.CompleteAsync(new CompleteParams([.. batch.Select(r => new TaskCompletion(r.Id, r.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "0" })]));
            completeMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            drained += batch.Count;
        }
        var drainRate = drained / sw.Elapsed.TotalSeconds;
        // The defaults workload's single submits without the engine: one awaited store insert at a time.
        const int singles = 5000;
        sw.Restart();
        for (var i = 0; i < singles; i++)
        {
            await store.Tasks.InsertAsync(new InsertTasksParams([new NewTask { Plugin = "bench.noop", ArgsJson = "{\"n\":" + i + "}", Queue = "default", MaxAttempts = 3 }]));
        }
        var singleRate = singles / sw.Elapsed.TotalSeconds;
        await db.Drop();
        return new WorkloadResult(stores.Kind, "w1-store", n, new Dictionary<string, double>
        {
            ["insertPerSec"] = Math.Round(insertRate),
            ["drainPerSec"] = Math.Round(drainRate),
            ["claimUsPerTask"] = Math.Round(claimMs * 1000 / Math.Max(1, drained), 1),
            ["completeUsPerTask"] = Math.Round(completeMs * 1000 / Math.Max(1, drained), 1),
            ["singleInsertPerSec"] = Math.Round(singleRate),
        }, Math.Max(0, n - seen.Count), duplicated);
    }
}
