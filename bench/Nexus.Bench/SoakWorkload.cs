using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Hosting;
using Nexus.Tasks;

namespace Nexus.Bench;

/// <summary>The soak (issue 15): producers and workers together at Nexus's default settings for
/// <c>--soak-minutes</c> (default 30): 4 producers submit batches of 200 while the backlog stays under 50,000. Every
/// 30 s it samples throughput in the window, RSS (and its anonymous part), and the database's size and health (PostgreSQL:
/// table and index MB, dead rows, deadlocks; SQLite: file and WAL MB, free pages). Reports the drift (last window's
/// throughput over the first's) and each series. Not a CI test: its figures go to docs/benchmarks.md.</summary>
internal sealed class SoakWorkload(BenchStores stores, BenchOptions options)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private readonly BenchProbe _probe = new();

    public async Task<WorkloadResult> RunAsync()
    {
        const int Capacity = 200_000_000;
        _probe.Reset(Capacity);
        var db = await stores.NewDatabaseAsync();
        using var host = await BenchHost.StartAsync(db, _probe, _ => { });
        var tasks = host.Services.GetRequiredService<INexusTasks>();
        var submitted = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(options.SoakMinutes));
        var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (Volatile.Read(ref submitted) - _probe.Started > 50_000)
                {
                    await Task.Delay(5);
                    continue;
                }
                var first = Interlocked.Add(ref submitted, 200) - 200;
                if (first + 200 > Capacity) break;
                await tasks.SubmitManyAsync([.. Enumerable.Range(first, 200).Select(n => new TaskRequest("bench.noop", $$"""{"n":{{n}}}"""))]);
            }
        })).ToList();

        var rate = new List<double>();
        var samples = new List<string>();
        var lastStarted = 0;
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Window, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var started = _probe.Started;
            rate.Add(Math.Round((started - lastStarted) / Window.TotalSeconds));
            lastStarted = started;
            var sizes = await db.Sizes();
            var line = $"t={clock.Elapsed.TotalMinutes:0.0}m rate={rate[^1]}/s backlog={Volatile.Read(ref submitted) - started} rssMb={Rss.Current()} anonMb={Rss.Anonymous()} " +
                string.Join(' ', sizes.Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}"));
            samples.Add(line);
            Console.Error.WriteLine("soak " + line);
        }
        await Task.WhenAll(producers);
        var total = Volatile.Read(ref submitted);
        var deadline = Stopwatch.StartNew();
        while (_probe.Started < total && deadline.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
        await host.StopAsync();
        var (lost, dup) = _probe.Check(total);
        var end = await db.Sizes();
        await db.Drop();
        var figures = new Dictionary<string, double>
        {
            ["minutes"] = options.SoakMinutes,
            ["throughputPerSec"] = Math.Round(total / clock.Elapsed.TotalSeconds),
            ["firstWindowPerSec"] = rate.FirstOrDefault(),
            ["lastWindowPerSec"] = rate.LastOrDefault(),
            ["drift"] = rate.Count < 2 || rate[0] == 0 ? 1 : Math.Round(rate[^1] / rate[0], 3),
            ["peakRssMb"] = Rss.Peak(),
        };
        foreach (var (key, value) in end) figures["end_" + key] = value;
        return new WorkloadResult(stores.Kind, "soak", total, figures, lost, dup) { Series = rate, Statements = samples };
    }
}
