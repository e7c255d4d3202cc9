using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Storage;
using Nexus.Workflows;

namespace Nexus.Bench;

/// <summary>The workflow workload, on a 5-step chain of no-op tasks, in two phases. <b>Burst</b>: <c>--workflow-runs</c>
/// runs (default 500), all started by 16 concurrent callers; runs/s and step transitions/s from the first start to the
/// last run's end, and step-to-step latency (a step's start minus its upstream's start, which includes the upstream's
/// run and completion) under that load. <b>Paced</b> (the latency condition): <c>--workflow-paced-runs</c>
/// runs (default 1,000) started at <c>--workflow-rate</c> per second (default 200) into the idle engine, each start
/// sent on time whatever the previous one's latency; step-to-step latency of those runs. Every step task must run
/// exactly once.</summary>
internal sealed class WorkflowWorkload(BenchStores stores, BenchOptions options)
{
    private const int Steps = 5;

    public async Task<WorkloadResult> RunAsync()
    {
        var runs = options.WorkflowRuns;
        var paced = options.WorkflowPacedRuns;
        var total = runs + paced;
        var db = await stores.NewDatabaseAsync();
        var probe = new BenchProbe();
        probe.Reset(total * Steps);
        using var host = await BenchHost.StartAsync(db, probe, o => o.Concurrency = 32);
        var workflows = host.Services.GetRequiredService<INexusWorkflows>();
        var builder = new WorkflowBuilder("bench-chain");
        for (var s = 0; s < Steps; s++)
        {
            var step = s;
            builder.Task($"s{s}", "bench.noop", new { n = $"${{input.s{s}}}" }, b => { if (step > 0) b.Needs($"s{step - 1}"); });
        }
        await workflows.RegisterAsync(builder.Build());
        var store = host.Services.GetRequiredService<INexusStore>();

        var sw = Stopwatch.StartNew();
        // Starts come from 16 callers at once, as from many clients (one at a time, a start's round trips bound the run rate).
        await Parallel.ForEachAsync(Enumerable.Range(0, runs), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
            await workflows.StartAsync("bench-chain", Input(r), cancellationToken: ct));
        var startSeconds = sw.Elapsed.TotalSeconds;
        await WaitAllStartedAsync(store, probe, runs * Steps);
        var elapsed = sw.Elapsed.TotalSeconds;
        var burst = Gaps(probe, 0, runs);

        // Paced: each start is sent at its slot (i / rate) without waiting for the previous one to answer.
        var pacing = Stopwatch.StartNew();
        var starts = new List<Task>(paced);
        for (var i = 0; i < paced; i++)
        {
            await Pacer.UntilAsync(pacing, TimeSpan.FromSeconds((double)i / options.WorkflowRate));
            starts.Add(workflows.StartAsync("bench-chain", Input(runs + i)));
        }
        await Task.WhenAll(starts);
        var offeredSeconds = pacing.Elapsed.TotalSeconds;
        await WaitAllStartedAsync(store, probe, total * Steps);
        var pacedGaps = Gaps(probe, runs, total);

        var succeeded = await CountSucceededAsync(store);
        var (lost, duplicated) = probe.Check(total * Steps);
        await host.StopAsync();
        await db.Drop();
        return new WorkloadResult(stores.Kind, "workflow", total * Steps, new Dictionary<string, double>
        {
            ["runsPerSec"] = Math.Round(runs / elapsed, 1),
            ["stepTransitionsPerSec"] = Math.Round(runs * Steps / elapsed),
            ["startsPerSec"] = Math.Round(runs / startSeconds),
            ["stepToStepP50Ms"] = Pct(burst, 0.5),
            ["stepToStepP99Ms"] = Pct(burst, 0.99),
            ["pacedRunsPerSecOffered"] = Math.Round(paced / offeredSeconds, 1),
            ["pacedStepToStepP50Ms"] = Pct(pacedGaps, 0.5),
            ["pacedStepToStepP95Ms"] = Pct(pacedGaps, 0.95),
            ["pacedStepToStepP99Ms"] = Pct(pacedGaps, 0.99),
            ["runsSucceeded"] = succeeded,
        }, lost + (total - succeeded), duplicated);
    }

    private static string Input(int run) => JsonSerializer.Serialize(Enumerable.Range(0, Steps).ToDictionary(s => $"s{s}", s => (run * Steps) + s));

    private static async Task WaitAllStartedAsync(INexusStore store, BenchProbe probe, int steps)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var running = await store.Workflows.ListRunsAsync(new RunQuery { Workflow = "bench-chain", State = RunState.Running, Limit = 1 });
            if (running.Items.Count == 0 && probe.Started >= steps) return;
            await Task.Delay(20);
        }
    }

    private static async Task<int> CountSucceededAsync(INexusStore store)
    {
        var succeeded = 0;
        long? before = null;
        while (true)
        {
            var page = await store.Workflows.ListRunsAsync(new RunQuery { Workflow = "bench-chain", State = RunState.Succeeded, Limit = 1000, Before = before });
            succeeded += page.Items.Count;
            if (page.Next is null) return succeeded;
            before = page.Next.Value;
        }
    }

    /// <summary>Step-to-step gaps of runs [from, to), ms, sorted.</summary>
    private static List<double> Gaps(BenchProbe probe, int from, int to)
    {
        var gaps = new List<double>((to - from) * (Steps - 1));
        for (var r = from; r < to; r++)
        {
            for (var s = 1; s < Steps; s++)
            {
                var a = probe.StartTicks((r * Steps) + s - 1);
                var b = probe.StartTicks((r * Steps) + s);
                if (a != 0 && b != 0) gaps.Add((b - a) * 1000.0 / Stopwatch.Frequency);
            }
        }
        gaps.Sort();
        return gaps;
    }

    private static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))], 1);
}
