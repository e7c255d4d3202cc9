using System.Globalization;

namespace Nexus.CrashTests.Worker;

/// <summary>The worker's command line: <c>--name value</c> pairs. Durations are in milliseconds.</summary>
public sealed record WorkerSettings
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public required string Store { get; init; }
    /// <summary>The store's connection string.</summary>
    public required string Connection { get; init; }
    /// <summary>PostgreSQL schema (ignored for SQLite).</summary>
    public string Schema { get; init; } = "nexus";
    /// <summary>This worker's node id; also its history file's name.</summary>
    public required string Node { get; init; }
    /// <summary>Folder of the history files.</summary>
    public required string History { get; init; }
    /// <summary>Attempts run at once.</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Most tasks per claim.</summary>
    public int ClaimBatch { get; init; } = 100;
    /// <summary>Lease without heartbeat.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Heartbeat interval.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Rescue interval.</summary>
    public TimeSpan Rescue { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Poll interval.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a graceful stop lets attempts finish.</summary>
    public TimeSpan Shutdown { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>See <see cref="CrashBehaviour.GatePath"/>.</summary>
    public string? Gate { get; init; }
    /// <summary>See <see cref="CrashBehaviour.GateAttempt"/>.</summary>
    public int? GateAttempt { get; init; }
    /// <summary>How often the scheduler loop ticks.</summary>
    public TimeSpan Scheduler { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Queues to claim from (comma-separated on the command line); null claims from every queue.</summary>
    public IReadOnlyList<string>? Queues { get; init; }

    /// <summary>The command line that <see cref="Parse"/> reads back.</summary>
    public IReadOnlyList<string> ToArgs()
    {
        static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "--store", Store, "--connection", Connection, "--schema", Schema, "--node", Node, "--history", History,
            "--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture),
            "--claim-batch", ClaimBatch.ToString(CultureInfo.InvariantCulture),
            "--lease-ms", Ms(Lease), "--heartbeat-ms", Ms(Heartbeat), "--rescue-ms", Ms(Rescue), "--poll-ms", Ms(Poll),
            "--shutdown-ms", Ms(Shutdown), "--scheduler-ms", Ms(Scheduler),
        };
        if (Gate is not null) args.AddRange(["--gate", Gate]);
        if (GateAttempt is { } attempt) args.AddRange(["--gate-attempt", attempt.ToString(CultureInfo.InvariantCulture)]);
        if (Queues is not null) args.AddRange(["--queues", string.Join(',', Queues)]);
        return args;
    }

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static WorkerSettings Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }
            values[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required.");
        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        TimeSpan Ms(string name, TimeSpan fallback) => values.TryGetValue(name, out var v) ? TimeSpan.FromMilliseconds(int.Parse(v, CultureInfo.InvariantCulture)) : fallback;

        var store = Required("store");
        if (store is not ("sqlite" or "postgres")) throw new ArgumentException($"--store must be sqlite or postgres (was '{store}').");
        var node = Required("node");
        if (node.Any(char.IsWhiteSpace)) throw new ArgumentException("--node must not contain spaces.");
        var defaults = new WorkerSettings { Store = store, Connection = "", Node = node, History = "" };
        return defaults with
        {
            Connection = Required("connection"),
            History = Required("history"),
            Schema = values.GetValueOrDefault("schema", defaults.Schema),
            Concurrency = Int("concurrency", defaults.Concurrency),
            ClaimBatch = Int("claim-batch", defaults.ClaimBatch),
            Lease = Ms("lease-ms", defaults.Lease),
            Heartbeat = Ms("heartbeat-ms", defaults.Heartbeat),
            Rescue = Ms("rescue-ms", defaults.Rescue),
            Poll = Ms("poll-ms", defaults.Poll),
            Shutdown = Ms("shutdown-ms", defaults.Shutdown),
            Scheduler = Ms("scheduler-ms", defaults.Scheduler),
            Gate = values.GetValueOrDefault("gate"),
            GateAttempt = values.TryGetValue("gate-attempt", out var attempt) ? int.Parse(attempt, CultureInfo.InvariantCulture) : null,
            Queues = values.TryGetValue("queues", out var queues) ? queues.Split(',') : null,
        };
    }
}
