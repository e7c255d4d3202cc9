namespace Nexus.Tasks;

/// <summary>How to submit a task. Every property is optional; unset ones take the plugin's or engine's default.</summary>
public sealed record SubmitOptions
{
    /// <summary>Queue name (letters, digits, <c>_ . -</c>; 1–64 chars). Default: the plugin's queue, else <c>default</c>.</summary>
    public string? Queue { get; init; }
    /// <summary>Higher runs first. Default 0.</summary>
    public int Priority { get; init; }
    /// <summary>Run no earlier than this instant: not before 1970-01-01T00:00:00Z nor more than
    /// <see cref="TaskBounds.MaxDelay"/> (100 years) from now. Mutually exclusive with <see cref="Delay"/>. Default: now.</summary>
    public DateTimeOffset? RunAt { get; init; }
    /// <summary>Run no earlier than this long after the store's clock at submit: 0 to <see cref="TaskBounds.MaxDelay"/>
    /// (100 years). Default: none.</summary>
    public TimeSpan? Delay { get; init; }
    /// <summary>Attempts allowed, 1–1000. Default: the plugin's, else the engine's (25).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Backoff override for this task; its delays at most <see cref="TaskBounds.MaxRetryDelay"/> (365 days).
    /// Default: the plugin's, else the engine's.</summary>
    public RetryPolicy? Retry { get; init; }
    /// <summary>Time limit per attempt, above zero and at most <see cref="TaskBounds.MaxTimeout"/> (24 days). Default: the
    /// plugin's, else none.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Idempotency key, unique per queue: a second submit with the same key to the same queue returns the
    /// existing task instead of a new one; the same key in another queue is another task.</summary>
    public string? UniqueKey { get; init; }
    /// <summary>Labels for filtering.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>Store the task <see cref="TaskState.Waiting"/>: not claimable until <see cref="Hosting.INexusTasks.ReleaseAsync"/>
    /// makes it available (what owns it decides when: upstream steps, a signal, an event). Default false.</summary>
    public bool Waiting { get; init; }
    /// <summary>What owns the task, 1–200 characters (e.g. <c>workflow:42/resize</c>), or null. An owned task is deleted
    /// with its owner, never by task retention. Default null.</summary>
    public string? Owner { get; init; }
}

/// <summary>One task to submit: the plugin's name, its arguments as JSON, and options.</summary>
/// <param name="Plugin">The registered plugin name.</param>
/// <param name="ArgsJson">The arguments as a JSON object text.</param>
/// <param name="Options">Options, or null for defaults.</param>
public sealed record TaskRequest(string Plugin, string ArgsJson, SubmitOptions? Options = null);

/// <summary>What a submit produced.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Created">False when a task with the same unique key already existed and was returned instead.</param>
public sealed record SubmitResult(long Id, bool Created);
