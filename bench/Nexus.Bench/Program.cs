// Nexus benchmark harness. `./build.sh bench [--store sqlite|postgres|both] [--workloads w1,w2,w3,w4]
// [--w1-tasks 100000] [--w4-seconds 60] [--history 0] [--out bench/results/results.jsonl]`.
// Prints a human table and one JSON line per workload; exits 1 when any task was lost or ran twice.
return await Nexus.Bench.BenchRunner.RunAsync(args);
