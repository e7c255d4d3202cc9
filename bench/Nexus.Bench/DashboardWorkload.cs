using System.Diagnostics;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Bench;

/// <summary>The store reads behind each dashboard page, timed at <see cref="BenchOptions.DashboardTasks"/> rows (default
/// 1,000,000: four queues, 1% dead, 10% scheduled): the median of 5 runs of each, in milliseconds. Page rendering is
/// not included (a few hundred microseconds beside these).</summary>
internal sealed class DashboardWorkload(BenchStores stores, BenchOptions options)
{
    private static readonly string[] Queues = ["default", "images", "reports", "mail"];

    public async Task<WorkloadResult> RunAsync()
    {
        var n = options.DashboardTasks;
        var db = await stores.NewDatabaseAsync();
        await using var store = db.Open();
        await store.MigrateAsync();
        var sw = Stopwatch.StartNew();
        var future = DateTimeOffset.UtcNow.AddDays(1);
        for (var i = 0; i < n; i += 10_000)
        {
            var rows = Enumerable.Range(i, Math.Min(10_000, n - i)).Select(k => new NewTask
            {
                Plugin = k % 3 == 0 ? "bench.noop" : "bench.other",
                ArgsJson = "{\"n\":" + k + ",\"size\":{\"w\":" + (k % 1000) + "}}",
                Queue = Queues[k % Queues.Length],
                MaxAttempts = 1,
                Tags = k % 7 == 0 ? ["seven"] : [],
                RunAt = k % 10 == 9 ? future : null,
            }).ToList();
            await store.Tasks.InsertAsync(new InsertTasksParams(rows));
        }
        var insertSeconds = sw.Elapsed.TotalSeconds;
        // 1% dead: claimed and failed for good, so the dead-letter page and the bulk-retry count have something to find.
        for (var dead = 0; dead < n / 100;)
        {
            var batch = await store.Tasks.ClaimAsync(new ClaimParams("bench", Math.Min(1000, n / 100 - dead), TimeSpan.FromMinutes(1)));
            if (batch.Count == 0) break;
            await store.Tasks.CompleteAsync(new CompleteParams([.. batch.Select(r => new TaskCompletion(r.Id, r.LeaseToken!.Value, CompletionKind.Dead)
            {
                Error = new AttemptError(1, DateTimeOffset.UtcNow, "Bench", "failed on purpose", null),
            })]));
            dead += batch.Count;
        }
        var first = await store.Tasks.ListAsync(new TaskQuery { Limit = 1 });
        var top = first.Items[0].Id;

        var figures = new Dictionary<string, double>
        {
            ["tasks"] = n,
            ["insertSeconds"] = Math.Round(insertSeconds, 1),
            // Tasks: the newest page, a page deep in the table, filtered pages, the args search.
            ["listNewestMs"] = await MedianMs(() => store.Tasks.ListAsync(new TaskQuery { Limit = 50 })),
            ["listDeepMs"] = await MedianMs(() => store.Tasks.ListAsync(new TaskQuery { Limit = 50, BeforeId = top / 2 })),
            ["listQueueStateMs"] = await MedianMs(() => store.Tasks.ListAsync(new TaskQuery { Limit = 50, Queue = "reports", State = TaskState.Dead })),
            ["listTagMs"] = await MedianMs(() => store.Tasks.ListAsync(new TaskQuery { Limit = 50, Tag = "seven" })),
            ["listArgsMs"] = await MedianMs(() => store.Tasks.ListAsync(new TaskQuery { Limit = 50, Queue = "images", Args = ArgsMatch.Parse("size.w", "501") })),
            ["detailMs"] = await MedianMs(() => store.Tasks.GetAsync(top / 3)),
            // The count before a bulk action (capped at 100,000) for dead letters and for everything.
            ["bulkCountDeadMs"] = await MedianMs(() => store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { State = TaskState.Dead }, 100_000))),
            ["bulkCountAllMs"] = await MedianMs(() => store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter(), 100_000))),
            // Overview and queues: the counts by queue and state (kept incrementally by the store since 2026-12-04).
            ["countsByQueueMs"] = await MedianMs(() => store.Tasks.CountAsync()),
            ["queuesMs"] = await MedianMs(() => store.Queues.ListAsync()),
        };
        if (db.Vacuum is { } vacuum)
        {
            // Right after the fill the table is being vacuumed and its hint bits set by whoever reads first; the same
            // reads again once it has settled, as a table that has been there a while.
            await vacuum();
            figures["settledListArgsMs"] = await MedianMs(() => store.Tasks.ListAsync(new TaskQuery { Limit = 50, Queue = "images", Args = ArgsMatch.Parse("size.w", "501") }));
            figures["settledBulkCountAllMs"] = await MedianMs(() => store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter(), 100_000)));
        }
        await db.Drop();
        return new WorkloadResult(stores.Kind, "dashboard", n, figures, 0, 0);
    }

    private static async Task<double> MedianMs<T>(Func<Task<T>> read)
    {
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await read();
            times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        times.Sort();
        return Math.Round(times[2], 2);
    }
}
