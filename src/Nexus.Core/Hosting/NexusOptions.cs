using Nexus.Tasks;

namespace Nexus.Hosting;

/// <summary>Engine settings. Defaults suit one process on one machine; every one can come from configuration.</summary>
public sealed class NexusOptions
{
    /// <summary>This process's id in leases and the node list. Default: host name and process id.</summary>
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";
    /// <summary>Run workers in this process. False makes a submit-only client. Default true.</summary>
    public bool RunWorkers { get; set; } = true;
    /// <summary>Tasks this process runs at once. Default 16.</summary>
    public int Concurrency { get; set; } = 16;
    /// <summary>Queues this process claims from; null or empty means every queue. Default null.</summary>
    public IList<string>? Queues { get; set; }
    /// <summary>Most tasks claimed in one round trip. Default 100.</summary>
    public int ClaimBatchSize { get; set; } = 100;
    /// <summary>While workers are busy, how long the dispatcher may wait for half a claim batch of slots to free
    /// up before claiming for the slots it has; batches claims of short tasks. Idle workers claim at once. Default 50 ms.</summary>
    public TimeSpan ClaimCooldown { get; set; } = TimeSpan.FromMilliseconds(50);
    /// <summary>Claim loops per process, each one round trip at a time; they share the worker slots. Default 1: on
    /// 2 cores a second loop made PostgreSQL drains slower (claimers contend on the head of the ready index), but
    /// machines with more cores may gain (see docs/benchmarks.md).</summary>
    public int ClaimLoops { get; set; } = 1;
    /// <summary>While attempts here are short (averaging under 10 ms), how many claimed tasks may wait in this process
    /// for a slot beyond the <see cref="Concurrency"/> executing, so that no slot idles for a claim round trip. Their
    /// leases are renewed like running ones; on shutdown they are handed back at once. Long attempts never prefetch,
    /// so other nodes are not starved of work this one holds. 0 turns prefetching off. Default 256.</summary>
    public int MaxPrefetch { get; set; } = 256;
    /// <summary>Most finished attempts whose outcomes may wait to be written; when the buffer is full, claiming pauses
    /// (a finished attempt frees its worker slot at once, and its lease is renewed until its outcome is stored).
    /// Default 2000.</summary>
    public int MaxPendingCompletions { get; set; } = 2000;
    /// <summary>How often to look for work when no wake-up arrives. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a claim is valid without a heartbeat. Default 30 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How often running tasks' leases are renewed (one round trip for all). Default 10 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the maintenance leader rescues tasks whose lease expired. Default 5 seconds.</summary>
    public TimeSpan RescueInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>On shutdown, how long running tasks may finish before they are cancelled and handed back. Default 30 seconds.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Most completions written in one round trip. Default 200.</summary>
    public int CompletionBatchSize { get; set; } = 200;
    /// <summary>How long succeeded tasks are kept before the maintenance leader deletes them; null keeps them forever.
    /// Default 1 day.</summary>
    public TimeSpan? RetainSucceeded { get; set; } = TimeSpan.FromDays(1);
    /// <summary>How long cancelled tasks are kept; null keeps them forever. Default 1 day.</summary>
    public TimeSpan? RetainCancelled { get; set; } = TimeSpan.FromDays(1);
    /// <summary>How long dead tasks are kept for inspection and manual retry; null keeps them forever. Default 30 days.</summary>
    public TimeSpan? RetainDead { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How often the maintenance leader deletes finished tasks past their retention (in batches of 1,000,
    /// each its own short transaction). Default 1 minute.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a node (engine or external worker) may go unseen before the maintenance leader removes it from
    /// the node list. The list marks a node stale after three heartbeat intervals. Default 1 hour.</summary>
    public TimeSpan NodeRetention { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Versions of history the state store keeps per key. Default 100.</summary>
    public int StateHistoryLimit { get; set; } = 100;
    /// <summary>How often the elected node sweeps expired state keys (they read as absent at once). Default 1 s.</summary>
    public TimeSpan StateExpiryInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Attempts allowed when neither the task nor its plugin says. Default 25.</summary>
    public int DefaultMaxAttempts { get; set; } = 25;
    /// <summary>Backoff when neither the task nor its plugin says.</summary>
    public RetryPolicy DefaultRetry { get; set; } = RetryPolicy.Default;
    /// <summary>Largest args JSON accepted, in bytes. Default 1 MiB.</summary>
    public int MaxArgsBytes { get; set; } = 1 << 20;
    /// <summary>Apply pending migrations at start. Default true.</summary>
    public bool MigrateOnStart { get; set; } = true;
    /// <summary>A folder whose plugin assemblies are loaded at start, each in its own load context. Default null.</summary>
    public string? PluginsFolder { get; set; }
    /// <summary>How old the queue counts behind the <c>queue_tasks</c> metric may be before a scrape reads them again
    /// from the store (in the background). Null means the default, 5 seconds.</summary>
    public TimeSpan? QueueCountsInterval { get; set; }
    /// <summary>Run the scheduler loop in this process (every node runs it; the database keeps each slot to one fire).
    /// Default true.</summary>
    public bool RunScheduler { get; set; } = true;
    /// <summary>How often the scheduler looks for due schedules. Default 1 second.</summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>How often the elected node runs the service registry's checks (each instance is checked at its own
    /// interval or TTL, on the first tick after it is due). Default 500 ms.</summary>
    public TimeSpan ServiceCheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How late a slot may be seen and still count as on time rather than as a misfire. Default 1 minute.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The event log and its dispatcher (<c>Nexus:Events</c>).</summary>
    public Events.EventOptions Events { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        static void Positive(TimeSpan v, string name)
        {
            if (v <= TimeSpan.Zero) throw new ArgumentException($"Nexus:{name} must be positive (was {v}).");
        }
        if (string.IsNullOrWhiteSpace(NodeId)) throw new ArgumentException("Nexus:NodeId must not be empty.");
        if (Concurrency is < 1 or > 10_000) throw new ArgumentException($"Nexus:Concurrency must be between 1 and 10000 (was {Concurrency}).");
        if (ClaimBatchSize is < 1 or > 10_000) throw new ArgumentException($"Nexus:ClaimBatchSize must be between 1 and 10000 (was {ClaimBatchSize}).");
        if (CompletionBatchSize is < 1 or > 10_000) throw new ArgumentException($"Nexus:CompletionBatchSize must be between 1 and 10000 (was {CompletionBatchSize}).");
        if (DefaultMaxAttempts is < 1 or > 1000) throw new ArgumentException($"Nexus:DefaultMaxAttempts must be between 1 and 1000 (was {DefaultMaxAttempts}).");
        if (MaxPrefetch is < 0 or > 10_000) throw new ArgumentException($"Nexus:MaxPrefetch must be between 0 and 10000 (was {MaxPrefetch}).");
        if (MaxPendingCompletions is < 1 or > 100_000) throw new ArgumentException($"Nexus:MaxPendingCompletions must be between 1 and 100000 (was {MaxPendingCompletions}).");
        Positive(PollInterval, nameof(PollInterval));
        Positive(ClaimCooldown, nameof(ClaimCooldown));
        if (ClaimLoops is < 1 or > 16) throw new ArgumentException($"Nexus:ClaimLoops must be between 1 and 16 (was {ClaimLoops}).");
        Positive(LeaseDuration, nameof(LeaseDuration));
        Positive(HeartbeatInterval, nameof(HeartbeatInterval));
        Positive(RescueInterval, nameof(RescueInterval));
        Positive(RetentionInterval, nameof(RetentionInterval));
        Positive(StateExpiryInterval, nameof(StateExpiryInterval));
        if (StateHistoryLimit is < 1 or > 100_000) throw new ArgumentException($"Nexus:StateHistoryLimit must be between 1 and 100000 (was {StateHistoryLimit}).");
        if (QueueCountsInterval is { } counts) Positive(counts, nameof(QueueCountsInterval));
        Positive(NodeRetention, nameof(NodeRetention));
        Positive(SchedulerInterval, nameof(SchedulerInterval));
        Positive(ServiceCheckInterval, nameof(ServiceCheckInterval));
        Positive(MisfireThreshold, nameof(MisfireThreshold));
        foreach (var (value, name) in new[] { (RetainSucceeded, nameof(RetainSucceeded)), (RetainCancelled, nameof(RetainCancelled)), (RetainDead, nameof(RetainDead)) })
        {
            if (value is { } v && v < TimeSpan.Zero) throw new ArgumentException($"Nexus:{name} must not be negative (was {v}).");
        }
        if (HeartbeatInterval >= LeaseDuration) throw new ArgumentException($"Nexus:HeartbeatInterval ({HeartbeatInterval}) must be shorter than Nexus:LeaseDuration ({LeaseDuration}).");
        if (ShutdownTimeout < TimeSpan.Zero) throw new ArgumentException("Nexus:ShutdownTimeout must not be negative.");
        foreach (var q in Queues ?? []) QueueName.Validate(q, "Nexus:Queues");
        DefaultRetry.Validate("Nexus:DefaultRetry");
        Events.Validate();
    }
}
