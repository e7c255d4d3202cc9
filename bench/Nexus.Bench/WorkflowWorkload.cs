using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Storage;
using Nexus.Workflows;

namespace Nexus.Bench;

/// <summary>The workflow workload: <c>--workflow-runs</c> runs (default 500) of a 5-step chain of no-op tasks, all
/// started by 16 concurrent callers. Figures: runs/s and step transitions/s from the first start to the last run's end, and step-to-step
/// latency (a step's start minus its upstream's start, which includes the upstream's run and completion) under that
/// load. Every step task must run exactly once.</summary>
internal sealed class WorkflowWorkload(BenchStores stores, BenchOptions options)
{
    private const int Steps = 5;

    public async Task<WorkloadResult> RunAsync()
    {
        var runs = options.WorkflowRuns;
        var db = await stores.NewDatabaseAsync();
        var probe = new BenchProbe();
        probe.Reset(runs * Steps);
        using var host = await BenchHost.StartAsync(db, probe, o => o.Concurrency = 32);
        var workflows = host.Services.GetRequiredService<INexusWorkflows>();
        var builder = new WorkflowBuilder("bench-chain");
        for (var s = 0; s < Steps; s++)
        {
            var step = s;
            builder.Task($"s{s}", "bench.noop", new { n = $"${{input.s{s}}}" }, b => { if (step > 0) b.Needs($"s{step - 1}"); });
        }
        await workflows.RegisterAsync(builder.Build());

        var sw = Stopwatch.StartNew();
        // Starts come from 16 callers at once, as from many clients (one at a time, a start's round trips bound the run rate).
        await Parallel.ForEachAsync(Enumerable.Range(0, runs), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
        {
            var input = JsonSerializer.Serialize(Enumerable.Range(0, Steps).ToDictionary(s => $"s{s}", s => (r * Steps) + s));
            await workflows.StartAsync("bench-chain", input, cancellationToken: ct);
        });
        var startSeconds = sw.Elapsed.TotalSeconds;
        var deadline = Stopwatch.StartNew();
        var store = host.Services.GetRequiredService<INexusStore>();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var running = await store.Workflows.ListRunsAsync(new RunQuery { Workflow = "bench-chain", State = RunState.Running, Limit = 1 });
            if (running.Items.Count == 0 && probe.Started == runs * Steps) break;
            await Task.Delay(20);
        }
        var elapsed = sw.Elapsed.TotalSeconds;
        var succeeded = 0;
        string? before = null;
        while (true)
        {
            var page = await store.Workflows.ListRunsAsync(new RunQuery { Workflow = "bench-chain", State = RunState.Succeeded, Limit = 1000, Before = before is null ? null : long.Parse(before, System.Globalization.CultureInfo.InvariantCulture) });
            succeeded += page.Items.Count;
            if (page.Next is null) break;
            before = page.Next.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var gaps = new List<double>(runs * (Steps - 1));
        for (var r = 0; r < runs; r++)
        {
            for (var s = 1; s < Steps; s++)
            {
                var a = probe.StartTicks((r * Steps) + s - 1);
                var b = probe.StartTicks((r * Steps) + s);
                if (a != 0 && b != 0) gaps.Add((b - a) * 1000.0 / Stopwatch.Frequency);
            }
        }
        gaps.Sort();
        double Pct(double p) => gaps.Count == 0 ? 0 : gaps[Math.Min(gaps.Count - 1, (int)(p * gaps.Count))];
        var (lost, duplicated) = probe.Check(runs * Steps);
        await host.StopAsync();
        await db.Drop();
        return new WorkloadResult(stores.Kind, "workflow", runs * Steps, new Dictionary<string, double>
        {
            ["runsPerSec"] = Math.Round(runs / elapsed, 1),
            ["stepTransitionsPerSec"] = Math.Round(runs * Steps / elapsed),
            ["startsPerSec"] = Math.Round(runs / startSeconds),
            ["stepToStepP50Ms"] = Math.Round(Pct(0.5), 1),
            ["stepToStepP99Ms"] = Math.Round(Pct(0.99), 1),
            ["runsSucceeded"] = succeeded,
        }, lost + (runs - succeeded), duplicated);
    }
}
