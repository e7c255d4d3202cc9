namespace Nexus.Tasks;

/// <summary>One stored task, as read back from the store.</summary>
public sealed record TaskRecord
{
    /// <summary>The task's id, assigned by the store; ascending in submit order.</summary>
    public required long Id { get; init; }
    /// <summary>The stable name of the plugin that runs it.</summary>
    public required string Plugin { get; init; }
    /// <summary>The queue it waits in.</summary>
    public required string Queue { get; init; }
    /// <summary>Higher runs first among ready tasks of the same queue set. Default 0.</summary>
    public int Priority { get; init; }
    /// <summary>The current state.</summary>
    public required TaskState State { get; init; }
    /// <summary>The arguments as JSON text.</summary>
    public required string ArgsJson { get; init; }
    /// <summary>The result as JSON text once succeeded; otherwise null.</summary>
    public string? ResultJson { get; init; }
    /// <summary>Attempts started so far (1 while the first attempt runs).</summary>
    public int Attempt { get; init; }
    /// <summary>Attempts allowed before the task is dead.</summary>
    public int MaxAttempts { get; init; }
    /// <summary>When the task becomes (or became) claimable.</summary>
    public DateTimeOffset RunAt { get; init; }
    /// <summary>When it was submitted (store clock).</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the latest attempt started.</summary>
    public DateTimeOffset? AttemptedAt { get; init; }
    /// <summary>When it reached a terminal state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The current lease's token while running; completions must present it.</summary>
    public Guid? LeaseToken { get; init; }
    /// <summary>When the current lease runs out unless renewed by a heartbeat.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    /// <summary>The node holding the lease.</summary>
    public string? LeasedBy { get; init; }
    /// <summary>The idempotency key given at submit, if any.</summary>
    public string? UniqueKey { get; init; }
    /// <summary>Free-form labels for filtering.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Every failed attempt's error, oldest first.</summary>
    public IReadOnlyList<AttemptError> Errors { get; init; } = [];
    /// <summary>The latest progress reported by the running attempt.</summary>
    public TaskProgress? Progress { get; init; }
    /// <summary>Per-attempt time limit, if any.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>The per-task retry policy override, if any.</summary>
    public RetryPolicy? Retry { get; init; }
    /// <summary>True once cancellation was asked for while the task was running.</summary>
    public bool CancelRequested { get; init; }
    /// <summary>The W3C trace context of the submit (<c>traceparent</c>, then a newline and <c>tracestate</c> when
    /// there is one), or null when the task was submitted outside any trace. The execution span continues it.</summary>
    public string? TraceContext { get; init; }
    /// <summary>What owns the task (e.g. a workflow run and step), or null.</summary>
    public string? Owner { get; init; }
}

/// <summary>The error of one failed attempt.</summary>
/// <param name="Attempt">The attempt number (1-based).</param>
/// <param name="At">When it failed.</param>
/// <param name="Type">The exception type's short name, or a Nexus reason such as <c>LeaseExpired</c>.</param>
/// <param name="Message">The error message.</param>
/// <param name="StackTrace">The stack trace, when there is one.</param>
public sealed record AttemptError(int Attempt, DateTimeOffset At, string Type, string Message, string? StackTrace);

/// <summary>Progress reported by a running task.</summary>
/// <param name="Fraction">0 to 1.</param>
/// <param name="Message">An optional human note, e.g. "page 3 of 10".</param>
public sealed record TaskProgress(double Fraction, string? Message);
