using System.Globalization;
using System.Text.Json;

namespace Nexus.Bench;

/// <summary>The benchmark harness as a method, called by this project's <c>Program</c> (what <c>./build.sh bench</c>
/// runs); it may reference the CLI's library, never the other way round.</summary>
public static class BenchRunner
{
    /// <summary>Runs the workloads named by <paramref name="args"/> (<c>--store sqlite|postgres|both</c>,
    /// <c>--workloads defaults,w1,w2,w3,w4</c>, <c>--w1-tasks 100000</c>, <c>--out file.jsonl</c>, …) and prints a table and one
    /// JSON line per workload. PostgreSQL needs <c>NEXUS_BENCH_POSTGRES</c>.</summary>
    /// <returns>0, or 1 when any task was lost or ran twice.</returns>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var results = new List<WorkloadResult>();
        foreach (var kind in options.Stores)
        {
            var stores = new BenchStores(kind, Environment.GetEnvironmentVariable("NEXUS_BENCH_POSTGRES"));
            var runner = new WorkloadRunner(stores, options);
            foreach (var workload in options.Workloads)
            {
                Console.Error.WriteLine($"== {kind} {workload} ...");
                var pg = kind == "postgres" ? Environment.GetEnvironmentVariable("NEXUS_BENCH_POSTGRES") : null;
                await StatementProfile.ResetAsync(pg);
                var result = workload switch
                {
                    "defaults" => await new DefaultsWorkload(stores, options).RunAsync(),
                    "soak" => await new SoakWorkload(stores, options).RunAsync(),
                    "workflow" => await new WorkflowWorkload(stores, options).RunAsync(),
                    "scaleout" => await new ScaleOutWorkload(stores, options).RunAsync(),
                    "w1" => await runner.W1BulkAsync(),
                    "w1-store" => await new StoreOnlyWorkload(stores, options).RunAsync(),
                    "dashboard" => await new DashboardWorkload(stores, options).RunAsync(),
                    "dashpages" => await new DashboardPagesWorkload(stores, options).RunAsync(),
                    "events" => await new EventsWorkload(stores).RunAsync(),
                    "events-latency" => await new EventsLatencyWorkload(stores, options).RunAsync(),
                    "live" => await new LiveWorkload(options).RunAsync(),
                    "live-hold" => await new LiveHoldWorkload(options).RunAsync(),
                    "cas" => await new CasWorkload(stores, options).RunAsync(),
                    "w2" => await runner.W2SingleAsync(),
                    "w3" => await runner.W3LatencyAsync(),
                    "w4" => await runner.W4SustainedAsync(),
                    _ => throw new ArgumentException($"Unknown workload '{workload}' (expected defaults, w1, w1-store, w2, w3, w4, soak, scaleout, dashboard, dashpages, workflow, events, events-latency, live, live-hold, cas)."),
                };
                result = result with { Statements = await StatementProfile.TopAsync(pg) };
                results.Add(result);
                var json = JsonSerializer.Serialize(result, BenchOptions.Json);
                Console.WriteLine(json);
                if (options.Out is not null) await File.AppendAllTextAsync(options.Out, json + Environment.NewLine);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{"store",-9}{"workload",-10}{"tasks",9}  {"figures"}");
        foreach (var r in results)
        {
            var figures = string.Join("  ", r.Figures.Select(kv => $"{kv.Key}={kv.Value.ToString("0.##", CultureInfo.InvariantCulture)}"));
            Console.WriteLine($"{r.Store,-9}{r.Workload,-10}{r.Tasks,9}  {figures}  lost={r.Lost} duplicated={r.Duplicated}");
        }
        var bad = results.Where(r => r.Lost > 0 || r.Duplicated > 0).ToList();
        if (bad.Count > 0)
        {
            Console.Error.WriteLine($"FAILED: {bad.Count} workload(s) lost or duplicated tasks.");
            return 1;
        }
        return 0;
    }
}
