using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Bench;

/// <summary>The side-by-side workload of issue 16, at Nexus's default settings (nothing configured but the store):
/// 20,000 no-op tasks submitted in calls of 1,000 with workers stopped, then drained with workers started (their
/// start-up inside the drain's timing); 5,000 single submits, one awaited call each; then 1,000 single submits paced
/// at 200/s into idle workers, measuring submit → start. Also the time from starting the engine to the first task's
/// start.</summary>
internal sealed class DefaultsWorkload(BenchStores stores, BenchOptions options)
{
    private readonly BenchProbe _probe = new();

    private Task<IHost> StartHostAsync(BenchDatabase db, bool workers, Action? starting = null) =>
        BenchHost.StartAsync(db, _probe, o =>
        {
            o.RunWorkers = workers;
            Overrides(o);
        }, starting);

    /// <summary>For measuring a candidate default: <c>NEXUS_BENCH_SET="ClaimBatchSize=256;CompletionBatchSize=500"</c>
    /// sets integer engine settings by name. Unset, the workload runs at the defaults, as published.</summary>
    private static void Overrides(NexusOptions o)
    {
        foreach (var pair in (Environment.GetEnvironmentVariable("NEXUS_BENCH_SET") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (pair.Split('=')[0].Trim(), int.Parse(pair.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
            var property = typeof(NexusOptions).GetProperty(name) ?? throw new ArgumentException($"NEXUS_BENCH_SET: no engine setting '{name}'.");
            property.SetValue(o, value);
        }
    }

    private static TaskRequest Noop(int n) => new("bench.noop", $$"""{"n":{{n}}}""");

    public async Task<WorkloadResult> RunAsync()
    {
        var bulk = options.DefaultsBulk;
        var single = options.DefaultsSingle;
        var paced = options.DefaultsPaced;
        var db = await stores.NewDatabaseAsync();
        var figures = new Dictionary<string, double>();
        var lost = 0;
        var duplicated = 0;

        // Bulk submit, workers stopped.
        _probe.Reset(bulk);
        using (var submitter = await StartHostAsync(db, workers: false))
        {
            var tasks = submitter.Services.GetRequiredService<INexusTasks>();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < bulk; i += 1000)
            {
                await tasks.SubmitManyAsync([.. Enumerable.Range(i, Math.Min(1000, bulk - i)).Select(Noop)]);
            }
            figures["bulkSubmitPerSec"] = Math.Round(bulk / sw.Elapsed.TotalSeconds);
            await submitter.StopAsync();
        }

        // Drain: the workers' start-up is inside the timing.
        var drain = Stopwatch.StartNew();
        var engineStart = 0L;
        using (var worker = await StartHostAsync(db, workers: true, () => engineStart = Stopwatch.GetTimestamp()))
        {
            var store = worker.Services.GetRequiredService<INexusStore>();
            await WaitAllAsync(store, bulk, bulk);
            figures["drainPerSec"] = Math.Round(bulk / drain.Elapsed.TotalSeconds);
            figures["firstStartMs"] = Math.Round(Stopwatch.GetElapsedTime(engineStart, _probe.FirstStartTicks()).TotalMilliseconds, 1);
            await worker.StopAsync();
        }
        (lost, duplicated) = Add((lost, duplicated), _probe.Check(bulk));

        // Single submits, one awaited call at a time, workers stopped.
        _probe.Reset(single);
        using (var submitter = await StartHostAsync(db, workers: false))
        {
            var tasks = submitter.Services.GetRequiredService<INexusTasks>();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < single; i++) await tasks.SubmitJsonAsync("bench.noop", $$"""{"n":{{i}}}""");
            figures["singleSubmitPerSec"] = Math.Round(single / sw.Elapsed.TotalSeconds);
            await submitter.StopAsync();
        }
        using (var worker = await StartHostAsync(db, workers: true))
        {
            await WaitAllAsync(worker.Services.GetRequiredService<INexusStore>(), bulk + single, single);
            await worker.StopAsync();
        }
        (lost, duplicated) = Add((lost, duplicated), _probe.Check(single));

        // Paced single submits into idle workers: submit → start.
        _probe.Reset(paced);
        using (var host = await StartHostAsync(db, workers: true))
        {
            var tasks = host.Services.GetRequiredService<INexusTasks>();
            var submitted = new long[paced];
            var pace = Stopwatch.StartNew();
            for (var i = 0; i < paced; i++)
            {
                // 200 a second: wait for this task's slot on the timeline, then submit.
                await Pacer.UntilAsync(pace, TimeSpan.FromMilliseconds(i * 5.0));
                submitted[i] = Stopwatch.GetTimestamp();
                await tasks.SubmitJsonAsync("bench.noop", $$"""{"n":{{i}}}""");
            }
            await WaitAllAsync(host.Services.GetRequiredService<INexusStore>(), bulk + single + paced, paced);
            await host.StopAsync();
            var latencies = Enumerable.Range(0, paced).Select(i => Stopwatch.GetElapsedTime(submitted[i], _probe.StartTicks(i)).TotalMilliseconds).Order().ToArray();
            figures["startP50Ms"] = Pct(latencies, 50);
            figures["startP99Ms"] = Pct(latencies, 99);
        }
        (lost, duplicated) = Add((lost, duplicated), _probe.Check(paced));
        await db.Drop();
        return new WorkloadResult(stores.Kind, "defaults", bulk + single + paced, figures, lost, duplicated);
    }

    /// <summary>Waits until <paramref name="started"/> tasks have started (an in-process counter), then until the
    /// store shows <paramref name="succeeded"/> succeeded in all.</summary>
    private async Task WaitAllAsync(INexusStore store, long succeeded, int started)
    {
        var deadline = Stopwatch.StartNew();
        var timeout = TimeSpan.FromMinutes(5);
        while (_probe.Started < started)
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Only {_probe.Started} of {started} tasks started within {timeout}.");
            await Task.Delay(1);
        }
        while (true)
        {
            var counts = await store.Tasks.CountAsync();
            if (counts.Sum(c => c.Counts.GetValueOrDefault(TaskState.Succeeded)) >= succeeded) return;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Not all {succeeded} tasks succeeded within {timeout}.");
            await Task.Delay(5);
        }
    }

    private static (int, int) Add((int Lost, int Dup) a, (int Lost, int Dup) b) => (a.Lost + b.Lost, a.Dup + b.Dup);

    private static double Pct(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)], 3);
}
