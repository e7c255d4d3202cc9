using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Hosting;
using Nexus.Plugins.Samples;
using Nexus.Storage;
using Nexus.Tasks;
using Npgsql;

namespace Nexus.Bench;

/// <summary>
/// Scale-out (issue 14 item 8): 1, 2, 3… real <c>Nexus.Server</c> processes at their default settings on one
/// PostgreSQL, draining one shared queue of <c>--scale-tasks</c> short tasks: <c>fixture.reverse</c> (reverses a word;
/// the folder-loaded plugin of tests/Nexus.Fixtures.FolderPlugin, given to the servers as <c>Nexus:PluginsFolder</c>),
/// or with <c>--scale-plugin wordcount</c> the sample <c>text.wordcount</c> of a ten-word file, which stores its progress
/// twice per attempt. The queue is paused while the tasks go in and the nodes start, then resumed: the
/// timing is the drain alone. Figures per node count: tasks/s, the server processes' and PostgreSQL's CPU (in cores;
/// the machine's core count bounds the sum), the most connections the nodes held at once, and whether every task
/// succeeded exactly once (attempt 1).
/// </summary>
internal sealed class ScaleOutWorkload(BenchStores stores, BenchOptions options)
{
    private const string Queue = "scale";
    private const string AppName = "nexus-scale";

    public async Task<WorkloadResult> RunAsync()
    {
        if (stores.Kind != "postgres") throw new ArgumentException("The scale-out workload runs on PostgreSQL only (--store postgres).");
        var pg = Environment.GetEnvironmentVariable("NEXUS_BENCH_POSTGRES")!;
        var figures = new Dictionary<string, double>();
        var lost = 0;
        var duplicated = 0;
        var artifacts = Path.Combine(Path.GetTempPath(), "nexus-bench-scale", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "input.txt"), "the quick brown fox jumps over the lazy dog again\n");
        var plugins = Path.Combine(artifacts, "plugins", "Nexus.Fixtures.FolderPlugin");
        Directory.CreateDirectory(plugins);
        var fixture = Path.Combine(RepositoryRoot(), "tests", "Nexus.Fixtures.FolderPlugin", "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0");
        foreach (var file in Directory.GetFiles(fixture, "Nexus.Fixtures.FolderPlugin.*")) File.Copy(file, Path.Combine(plugins, Path.GetFileName(file)));
        try
        {
            foreach (var count in options.ScaleNodes)
            {
                var (perSec, nexusCores, pgCores, connections, bad) = await RunOnceAsync(pg, count, artifacts);
                figures[$"n{count}PerSec"] = perSec;
                figures[$"n{count}NexusCores"] = nexusCores;
                figures[$"n{count}PgCores"] = pgCores;
                figures[$"n{count}Connections"] = connections;
                // CPU per task carries over to other machines better than a rate measured on a shared one.
                figures[$"n{count}NexusUsPerTask"] = Math.Round(nexusCores / perSec * 1e6);
                figures[$"n{count}PgUsPerTask"] = Math.Round(pgCores / perSec * 1e6);
                Console.Error.WriteLine($"   {count} node(s): {perSec:0}/s, nexus {nexusCores:0.00} cores, postgres {pgCores:0.00} cores, {connections} connections");
                lost += bad.Lost;
                duplicated += bad.Duplicated;
            }
        }
        finally
        {
            Directory.Delete(artifacts, recursive: true);
        }
        return new WorkloadResult(stores.Kind, "scaleout-" + options.ScalePlugin, options.ScaleTasks * options.ScaleNodes.Count, figures, lost, duplicated);
    }

    private async Task<(double PerSec, double NexusCores, double PgCores, int Connections, (int Lost, int Duplicated) Bad)> RunOnceAsync(string pg, int count, string artifacts)
    {
        var db = await stores.NewDatabaseAsync();
        try
        {
            using var submitter = await BenchHost.StartAsync(db, new BenchProbe(), o =>
            {
                o.RunWorkers = false;
                o.PluginsFolder = Path.Combine(artifacts, "plugins");
            }, plugins: n => n.AddSamplePlugins(o => o.ArtifactsRoot = artifacts));
            var store = submitter.Services.GetRequiredService<INexusStore>();
            var tasks = submitter.Services.GetRequiredService<INexusTasks>();
            await store.Queues.SetPausedAsync(Queue, paused: true);
            var total = options.ScaleTasks;
            var submit = new SubmitOptions { Queue = Queue, MaxAttempts = 1 };
            TaskRequest Request(int n) => options.ScalePlugin == "wordcount"
                ? new TaskRequest("text.wordcount", """{"inputFile":"input.txt","top":3}""", submit)
                : new TaskRequest("fixture.reverse", $$"""{"text":"task-{{n}}"}""", submit);
            for (var i = 0; i < total; i += 1000)
            {
                await tasks.SubmitManyAsync([.. Enumerable.Range(i, Math.Min(1000, total - i)).Select(Request)]);
            }

            var schema = db.Schema ?? throw new InvalidOperationException("The scale-out workload needs a PostgreSQL schema.");
            var environment = new Dictionary<string, string>
            {
                ["NEXUS_STORE"] = "postgres",
                ["NEXUS_POSTGRES"] = new NpgsqlConnectionStringBuilder(pg) { ApplicationName = AppName }.ConnectionString,
                ["NEXUS_POSTGRESSCHEMA"] = schema,
                ["NEXUS_ARTIFACTSROOT"] = artifacts,
                ["NEXUS_PLUGINSFOLDER"] = Path.Combine(artifacts, "plugins"),
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Nexus.Server"] = "Information",
            };
            await using var nodes = await ServerNodes.StartAsync(count, environment);
            await using var sampler = NpgsqlDataSource.Create(pg);

            var cpu0 = nodes.CpuTime();
            var pg0 = PostgresCpu();
            var clock = Stopwatch.StartNew();
            await store.Queues.SetPausedAsync(Queue, paused: false);
            // A submit after the resume: its notification wakes every node at once instead of at its next poll.
            await tasks.SubmitManyAsync([Request(total)]);
            var connections = 0;
            while (true)
            {
                connections = Math.Max(connections, await ConnectionsAsync(sampler));
                var counts = (await store.Tasks.CountAsync()).Single(c => c.Queue == Queue).Counts;
                var finished = counts.GetValueOrDefault(TaskState.Succeeded) + counts.GetValueOrDefault(TaskState.Dead);
                if (finished >= total + 1) break;
                if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException($"{count} node(s): {finished} of {total + 1} tasks finished in 3 minutes.");
                await Task.Delay(50);
            }
            var elapsed = clock.Elapsed;
            var nexusCores = (nodes.CpuTime() - cpu0).TotalSeconds / elapsed.TotalSeconds;
            var pgCores = (PostgresCpu() - pg0).TotalSeconds / elapsed.TotalSeconds;
            var bad = await CheckAsync(sampler, schema, total + 1);
            return (Math.Round(total / elapsed.TotalSeconds), Math.Round(nexusCores, 2), Math.Round(pgCores, 2), connections, bad);
        }
        finally
        {
            await db.Drop();
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nexus.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Nexus.slnx) is not above the harness.");
    }

    /// <summary>Lost: not succeeded. Duplicated: succeeded on a later attempt than the first (a lease lost and re-run).</summary>
    private static async Task<(int Lost, int Duplicated)> CheckAsync(NpgsqlDataSource ds, string schema, int total)
    {
        await using var cmd = ds.CreateCommand($"select count(*) filter (where state = 'succeeded'), count(*) filter (where state = 'succeeded' and attempt > 1) from {schema}.tasks where queue = '{Queue}'");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (total - (int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    private static async Task<int> ConnectionsAsync(NpgsqlDataSource ds)
    {
        await using var cmd = ds.CreateCommand($"select count(*) from pg_stat_activity where application_name = '{AppName}'");
        return (int)(long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>CPU time of every postgres process on this machine (the benchmark's throwaway server is the only one
    /// there), from /proc.</summary>
    private static TimeSpan PostgresCpu()
    {
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close];
                if (!name.StartsWith("postgres", StringComparison.Ordinal)) continue;
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
