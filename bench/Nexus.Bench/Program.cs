// Nexus benchmark harness. `./build.sh bench [--store sqlite|postgres|both] [--workloads w1,w2,w3,w4]
// [--w1-tasks 100000] [--w4-seconds 60] [--history 0] [--out bench/results/results.jsonl]`.
// Prints a human table and one JSON line per workload; exits 1 when any task was lost or ran twice.
using System.Globalization;
using System.Text.Json;
using Nexus.Bench;

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
            "w1" => await runner.W1BulkAsync(),
            "w1-store" => await new StoreOnlyWorkload(stores, options).RunAsync(),
            "w2" => await runner.W2SingleAsync(),
            "w3" => await runner.W3LatencyAsync(),
            "w4" => await runner.W4SustainedAsync(),
            _ => throw new ArgumentException($"Unknown workload '{workload}' (expected w1, w1-store, w2, w3, w4)."),
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
