using System.Diagnostics;
using Nexus.Events;
using Nexus.Storage;
using Nexus.Workflows;

namespace Nexus.Bench;

/// <summary>The store reads behind the dashboard's workflow, events and state pages, timed at
/// <see cref="BenchOptions.DashboardRuns"/> workflow runs (default 100,000, three steps each, 10% succeeded), as many
/// events in two namespaces (one busy, one sparse: 1 in 100) and 2,000 state keys of three versions: the median of 5
/// runs of each, in milliseconds. The event tail repeats the dashboard's reads (Data/EventTail.cs): the head cursor,
/// then range reads of at most 200 events in windows of positions backwards from it.</summary>
internal sealed class DashboardPagesWorkload(BenchStores stores, BenchOptions options)
{
    private const string Definition = """{"name":"bench-flow","steps":[{"id":"a","kind":"noop"},{"id":"b","kind":"noop","needs":["a"]},{"id":"c","kind":"noop","needs":["b"]}]}""";

    private static readonly string[] StepIds = ["a", "b", "c"];

    public async Task<WorkloadResult> RunAsync()
    {
        var n = options.DashboardRuns;
        var db = await stores.NewDatabaseAsync();
        await using var store = db.Open();
        await store.MigrateAsync();
        var sw = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < n; i += 1000)
        {
            var count = Math.Min(1000, n - i);
            await store.InTransactionAsync(async (tx, ct) =>
            {
                var steps = new List<StepRun>(count * 3);
                var done = new List<long>();
                for (var k = 0; k < count; k++)
                {
                    var (id, _) = await tx.Workflows.CreateRunAsync(new NewRun
                    {
                        Workflow = (i + k) % 2 == 0 ? "bench-flow" : "bench-other", Version = 1, DefinitionJson = Definition, InputJson = "{\"n\":" + (i + k) + "}",
                    }, ct);
                    foreach (var step in StepIds)
                    {
                        steps.Add(new StepRun { RunId = id, StepId = step, State = StepState.Succeeded, Attempt = 1, OutputJson = "{}", StartedAt = now, FinishedAt = now });
                    }
                    if ((i + k) % 10 == 0) done.Add(id);
                }
                await tx.Workflows.SaveStepsAsync(steps, ct);
                var runs = await tx.Workflows.LockRunsAsync(done, ct);
                await tx.Workflows.UpdateRunsAsync([.. runs.Select(r => r with { State = RunState.Succeeded, FinishedAt = now, UpdatedAt = now })], ct);
                return 0;
            });
        }
        var runSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        await store.Events.CreateNamespaceAsync(new NewNamespace("busy"));
        await store.Events.CreateNamespaceAsync(new NewNamespace("sparse"));
        for (var i = 0; i < n; i += 1000)
        {
            var count = Math.Min(1000, n - i);
            var batch = Enumerable.Range(i, count).Select(k => new NewEvent { Topic = k % 3 == 0 ? "users.joined" : "orders.created", PayloadJson = "{\"order\":" + k + ",\"total\":" + (k % 500) + "}" }).ToList();
            await store.Events.AppendAsync(new AppendEventsParams("busy", batch));
            await store.Events.AppendAsync(new AppendEventsParams("sparse", [.. batch.Take(10)]));
        }
        var eventSeconds = sw.Elapsed.TotalSeconds;
        var subscription = await store.Events.CreateSubscriptionAsync(new NewSubscription { Namespace = "busy", Name = "lagging", Pattern = "orders.*", Action = "consumer", Queue = "events", Start = SubscriptionStart.All });
        sw.Restart();
        for (var k = 0; k < 2_000; k++)
        {
            for (var v = 0; v < 3; v++) await store.State.SetAsync(new SetStateParams("busy", $"cart:{k:D5}", "{\"v\":" + v + "}"));
        }
        var stateSeconds = sw.Elapsed.TotalSeconds;

        var newest = await store.Workflows.ListRunsAsync(new RunQuery { Limit = 1 });
        var top = newest.Items[0].Id;
        var figures = new Dictionary<string, double>
        {
            ["runs"] = n,
            ["events"] = n * 1.01,
            ["insertRunsSeconds"] = Math.Round(runSeconds, 1),
            ["insertEventsSeconds"] = Math.Round(eventSeconds, 1),
            ["insertStateSeconds"] = Math.Round(stateSeconds, 1),
            // /runs: newest page, a page deep in the table, by workflow and state.
            ["runsNewestMs"] = await MedianMs(() => store.Workflows.ListRunsAsync(new RunQuery { Limit = 50 })),
            ["runsDeepMs"] = await MedianMs(() => store.Workflows.ListRunsAsync(new RunQuery { Limit = 50, Before = top / 2 })),
            ["runsWorkflowStateMs"] = await MedianMs(() => store.Workflows.ListRunsAsync(new RunQuery { Limit = 50, Workflow = "bench-flow", State = RunState.Succeeded })),
            // /runs/{id}: the run and its steps.
            ["runDetailMs"] = await MedianMs(async () => (await store.Workflows.GetRunAsync(top / 3), await store.Workflows.GetStepsAsync([top / 3]))),
            // /workflows: the definitions.
            ["workflowsMs"] = await MedianMs(() => store.Workflows.ListAsync()),
            // /events: the tail of a busy and a sparse namespace, and a subscription's lag (100 events after its cursor's position).
            ["tailBusyMs"] = await MedianMs(() => TailAsync(store.Events, "busy")),
            ["tailSparseMs"] = await MedianMs(() => TailAsync(store.Events, "sparse")),
            ["lagMs"] = await MedianMs(() => store.Events.ReadRangeAsync(new ReadRangeParams("busy", subscription.Cursor.Position + 1, null, 100))),
            // What the lag first read: the log after the cursor in commit order (kept to show why it no longer does).
            ["lagByCursorMs"] = await MedianMs(() => store.Events.ReadAsync(new ReadEventsParams("busy", subscription.Cursor, 100))),
            // /state: a page of keys, a key's history.
            ["stateKeysMs"] = await MedianMs(() => store.State.ListAsync(new ListStateParams("busy", "cart:", "cart:01000", 100))),
            ["stateHistoryMs"] = await MedianMs(() => store.State.HistoryAsync(new StateHistoryParams("busy", "cart:01777", null, 100))),
        };
        await db.Drop();
        return new WorkloadResult(stores.Kind, "dashpages", n, figures, 0, 0);
    }

    /// <summary>The dashboard's tail reads (Data/EventTail.cs): the head, then windows of positions backwards from it, a
    /// dense one read again a quarter as wide, a sparse one followed by one four times as wide, until 50 events (at most
    /// 6 range reads of 200).</summary>
    private static async Task<int> TailAsync(IEventStore events, string ns)
    {
        var to = (await events.CursorAtAsync(ns, SubscriptionStart.New)).Position;
        var window = 256L;
        var found = 0;
        for (var reads = 0; reads < 6 && to >= 1 && found < 50; reads++)
        {
            var from = Math.Max(1, to - window + 1);
            var batch = await events.ReadRangeAsync(new ReadRangeParams(ns, from, to, 200));
            if (batch.Count == 200 && window > 1)
            {
                window = Math.Max(1, window / 4);
                continue;
            }
            found += batch.Count;
            to = from - 1;
            window *= 4;
        }
        return found;
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
