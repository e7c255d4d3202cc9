using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Nexus.CrashTests.Worker;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>
/// One crash test's world: a store (a fresh PostgreSQL schema or a fresh SQLite file), a submit-only Nexus in the test
/// process (validation and ids), worker processes, and the folder of their history files. Dispose kills every worker
/// still running and deletes the folder.
/// </summary>
internal sealed class CrashScene : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly Func<string, string> _workerConnection;
    private readonly List<WorkerProcess> _workers = [];
    private readonly ITestOutputHelper _output;
    private readonly long _started = TimeProvider.System.GetTimestamp();

    private CrashScene(string storeKind, string schema, string folder, ServiceProvider services, Func<string, string> workerConnection, ITestOutputHelper output)
    {
        StoreKind = storeKind;
        Schema = schema;
        Folder = folder;
        _services = services;
        _workerConnection = workerConnection;
        _output = output;
        Tasks = services.GetRequiredService<INexusTasks>();
        Store = services.GetRequiredService<INexusStore>();
    }

    public string StoreKind { get; }
    public string Schema { get; }
    public string Folder { get; }
    public string HistoryFolder => Path.Combine(Folder, "history");
    public INexusTasks Tasks { get; }
    public INexusStore Store { get; }
    public IServiceProvider Services => _services;
    public IReadOnlyList<WorkerProcess> Workers => _workers;

    /// <summary>A scene on PostgreSQL: a new schema, reached by the test through <paramref name="connectionString"/> and
    /// by each worker through <paramref name="workerConnection"/>(its application name), so its backends can be found.</summary>
    public static async Task<CrashScene> PostgresAsync(string connectionString, Func<string, string> workerConnection, ITestOutputHelper output)
    {
        var schema = "crash_" + Guid.NewGuid().ToString("N")[..16];
        var services = Build(n => n.UsePostgres(connectionString, o => o.Schema = schema));
        var scene = new CrashScene("postgres", schema, NewFolder(), services, workerConnection, output);
        await scene.Store.MigrateAsync();
        return scene;
    }

    /// <summary>A scene on a fresh SQLite file that the test and every worker open.</summary>
    public static async Task<CrashScene> SqliteAsync(ITestOutputHelper output)
    {
        var folder = NewFolder();
        var connection = $"Data Source={Path.Combine(folder, "nexus.db")}";
        var services = Build(n => n.UseSqlite(connection));
        var scene = new CrashScene("sqlite", "", folder, services, _ => connection, output);
        await scene.Store.MigrateAsync();
        return scene;
    }

    private static ServiceProvider Build(Action<NexusBuilder> useStore)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNexus(n =>
        {
            useStore(n);
            n.AddPlugin<CrashWorkPlugin>().Configure(o => o.RunWorkers = false);
        });
        return services.BuildServiceProvider();
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-crash-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Settings of a worker of this scene with the crash tests' short defaults (lease 2 s, heartbeat 500 ms, rescue 500 ms).</summary>
    public WorkerSettings WorkerSettings(string node) => new()
    {
        Store = StoreKind,
        Connection = _workerConnection("crash-" + node),
        Schema = StoreKind == "postgres" ? Schema : "nexus",
        Node = node,
        History = HistoryFolder,
        Concurrency = 4,
        Lease = TimeSpan.FromSeconds(2),
        Heartbeat = TimeSpan.FromMilliseconds(500),
        Rescue = TimeSpan.FromMilliseconds(500),
        Poll = TimeSpan.FromSeconds(1),
    };

    /// <summary>Starts a worker process and waits until its engine runs.</summary>
    public async Task<WorkerProcess> StartWorkerAsync(string node, Func<WorkerSettings, WorkerSettings>? configure = null)
    {
        var settings = WorkerSettings(node);
        if (configure is not null) settings = configure(settings);
        var worker = await WorkerProcess.StartAsync(settings);
        _workers.Add(worker);
        Log($"worker {node} ready (pid {worker.Pid})");
        return worker;
    }

    /// <summary>Submits <paramref name="count"/> tasks that each work <paramref name="ms"/> ms, in batches; returns their ids.
    /// With a key prefix every task gets a unique key, so a batch may be submitted again after an ambiguous failure.</summary>
    public async Task<List<long>> SubmitAsync(int count, int ms, string? keyPrefix = null, int batch = 500)
    {
        var ids = new List<long>(count);
        for (var offset = 0; offset < count; offset += batch)
        {
            var requests = Enumerable.Range(offset, Math.Min(batch, count - offset))
                .Select(i => Request(ms, keyPrefix is null ? null : keyPrefix + i.ToString(CultureInfo.InvariantCulture)))
                .ToList();
            ids.AddRange((await Tasks.SubmitManyAsync(requests)).Select(r => r.Id));
        }
        return ids;
    }

    public static TaskRequest Request(int ms, string? uniqueKey = null) =>
        new(CrashWorkPlugin.Name, $$"""{"ms":{{ms}}}""", uniqueKey is null ? null : new SubmitOptions { UniqueKey = uniqueKey });

    /// <summary>Every task in the store.</summary>
    public async Task<List<TaskRecord>> AllTasksAsync()
    {
        var all = new List<TaskRecord>();
        long? before = null;
        do
        {
            var page = await Store.Tasks.ListAsync(new TaskQuery { Limit = 1000, BeforeId = before });
            all.AddRange(page.Items);
            before = page.NextBeforeId;
        }
        while (before is not null);
        return all;
    }

    /// <summary>Every history record of every worker so far.</summary>
    public List<HistoryRecord> History() => HistoryRecord.ReadFolder(HistoryFolder);

    /// <summary>Waits until every one of <paramref name="ids"/> has succeeded; on timeout lists the ones that have not,
    /// with their states, and the workers' last log lines.</summary>
    public async Task WaitAllSucceededAsync(IReadOnlyCollection<long> ids, TimeSpan timeout)
    {
        var wanted = ids.ToHashSet();
        await Eventually.UntilAsync(
            async () => (await CountAsync(TaskState.Succeeded)) >= wanted.Count
                && (await AllTasksAsync()).Count(t => wanted.Contains(t.Id) && t.State == TaskState.Succeeded) == wanted.Count,
            timeout,
            async () =>
            {
                var tasks = (await AllTasksAsync()).ToDictionary(t => t.Id);
                var pending = wanted.Where(id => !tasks.TryGetValue(id, out var t) || t.State != TaskState.Succeeded).Order().ToList();
                var states = pending.Take(30).Select(id => tasks.TryGetValue(id, out var t) ? $"{id}:{t.State.ToName()}@{t.LeasedBy ?? "-"}#{t.Attempt}" : $"{id}:missing");
                return $"{pending.Count} of {wanted.Count} tasks have not succeeded: {string.Join(", ", states)}{(pending.Count > 30 ? ", …" : "")}" +
                    Environment.NewLine + WorkerLogs();
            });
    }

    /// <summary>How many tasks are in <paramref name="state"/> (all queues).</summary>
    public async Task<long> CountAsync(TaskState state) =>
        (await Store.Tasks.CountAsync()).Sum(q => q.Counts.TryGetValue(state, out var n) ? n : 0);

    /// <summary>The report over <paramref name="submitted"/>, the store and the histories; logged to the test output.</summary>
    public async Task<CrashReport> ReportAsync(IReadOnlyCollection<long> submitted, Func<TaskRecord, bool> mayRunAgain)
    {
        var report = CrashReport.Build(submitted, await AllTasksAsync(), History(), mayRunAgain);
        Log("report: " + report);
        return report;
    }

    /// <summary>Fails the test with the full report (and the workers' logs) unless nothing was lost, duplicated or unexpected.</summary>
    public void AssertClean(CrashReport report)
    {
        Assert.True(report.Clean, $"The crash test found problems. {report}{Environment.NewLine}{WorkerLogs()}");
    }

    /// <summary>The last log lines of every worker.</summary>
    public string WorkerLogs()
    {
        var text = new StringBuilder();
        foreach (var worker in _workers) text.AppendLine(CultureInfo.InvariantCulture, $"worker {worker.Node} (pid {worker.Pid}):").AppendLine(worker.LogTail());
        return text.ToString();
    }

    /// <summary>A line in the test output, with the time since the scene began.</summary>
    public void Log(string message) =>
        _output.WriteLine($"[{TimeProvider.System.GetElapsedTime(_started).TotalSeconds,7:0.000} s] {message}");

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers) await worker.DisposeAsync();
        await _services.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder; nothing depends on it being gone.
        }
    }
}
