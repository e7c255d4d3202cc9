using System.Globalization;
using System.Text.Json;

namespace Nexus.Bench;

internal sealed record BenchOptions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<string> Stores { get; init; } = ["sqlite", "postgres"];
    public IReadOnlyList<string> Workloads { get; init; } = ["defaults", "w1", "w2", "w3", "w4"];
    public int W1Tasks { get; init; } = 100_000;
    public int W2Tasks { get; init; } = 20_000;
    public int W3Tasks { get; init; } = 2_000;
    public int W4Seconds { get; init; } = 60;
    public int History { get; init; }
    public int DefaultsBulk { get; init; } = 20_000;
    public int SoakMinutes { get; init; } = 30;
    public int WorkflowRuns { get; init; } = 500;
    /// <summary>Runs started paced at <see cref="WorkflowRate"/> after the burst (the latency condition).</summary>
    public int WorkflowPacedRuns { get; init; } = 1000;
    /// <summary>Run starts per second of the paced phase.</summary>
    public int WorkflowRate { get; init; } = 200;
    public int DefaultsSingle { get; init; } = 5_000;
    public int DefaultsPaced { get; init; } = 1_000;
    public int EventsSeconds { get; init; } = 20;
    public int DashboardTasks { get; init; } = 1_000_000;
    public int DashboardRuns { get; init; } = 100_000;
    public string? Out { get; init; }
    public int ScaleTasks { get; init; } = 20_000;
    public int LiveSubscribers { get; init; } = 200;
    public int LiveWrites { get; init; } = 300;
    public int LiveRate { get; init; }
    public int LiveWriters { get; init; } = 1;
    public int LiveConnections { get; init; } = 10_000;
    public int CasClients { get; init; } = 16;
    public int CasSeconds { get; init; } = 10;
    /// <summary><c>--cas-via store|state</c>: the store's <c>IStateStore</c> (default) or the hosted <c>INexusState</c>
    /// (the API's path: the write and its change in the log, one unit of work).</summary>
    public string CasVia { get; init; } = "store";
    public IReadOnlyList<int> ScaleNodes { get; init; } = [1, 2, 3];
    public string ScalePlugin { get; init; } = "reverse";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--store" => o with { Stores = Next() is var store && store == "both" ? ["sqlite", "postgres"] : [store] },
                "--workloads" => o with { Workloads = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--w1-tasks" => o with { W1Tasks = Int() },
                "--w2-tasks" => o with { W2Tasks = Int() },
                "--w3-tasks" => o with { W3Tasks = Int() },
                "--w4-seconds" => o with { W4Seconds = Int() },
                "--history" => o with { History = Int() },
                "--defaults-bulk" => o with { DefaultsBulk = Int() },
                "--events-seconds" => o with { EventsSeconds = Int() is var secs && secs is >= 2 and <= 3600 ? secs : throw new ArgumentException("--events-seconds must be 2–3600.") },
                "--soak-minutes" => o with { SoakMinutes = Int() },
                "--dashboard-tasks" => o with { DashboardTasks = Int() },
                "--dashboard-runs" => o with { DashboardRuns = Int() },
                "--workflow-runs" => o with { WorkflowRuns = Int() },
                "--workflow-paced-runs" => o with { WorkflowPacedRuns = Int() },
                "--workflow-rate" => o with { WorkflowRate = Int() },
                "--out" => o with { Out = Next() },
                "--scale-tasks" => o with { ScaleTasks = Int() },
                "--live-subscribers" => o with { LiveSubscribers = Int() },
                "--live-writes" => o with { LiveWrites = Int() },
                "--live-rate" => o with { LiveRate = Int() },
                "--live-writers" => o with { LiveWriters = Math.Max(1, Int()) },
                "--live-connections" => o with { LiveConnections = Int() },
                "--cas-clients" => o with { CasClients = Math.Max(1, Int()) },
                "--cas-seconds" => o with { CasSeconds = Math.Max(1, Int()) },
                "--cas-via" => o with { CasVia = Next() is var via && via is "store" or "state" ? via : throw new ArgumentException("--cas-via must be store or state.") },
                "--scale-plugin" => o with { ScalePlugin = Next() is var plugin && plugin is "reverse" or "wordcount" ? plugin : throw new ArgumentException("--scale-plugin must be reverse or wordcount.") },
                "--scale-nodes" => o with { ScaleNodes = [.. Next().Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))] },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        foreach (var s in o.Stores)
        {
            if (s is not ("sqlite" or "postgres")) throw new ArgumentException($"--store must be sqlite, postgres or both (was '{s}').");
        }
        return o;
    }
}

internal sealed record WorkloadResult(string Store, string Workload, int Tasks, IReadOnlyDictionary<string, double> Figures, int Lost, int Duplicated)
{
    public string Machine { get; init; } = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
    public IReadOnlyList<double>? Series { get; init; }
    public IReadOnlyList<string>? Statements { get; init; }
}
