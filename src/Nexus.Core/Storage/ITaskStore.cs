using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>Task rows. Every hot-path method is batch-shaped: many rows, one round trip.</summary>
public interface ITaskStore
{
    /// <summary>Inserts tasks in one round trip. A task whose unique key exists in its queue returns the existing id
    /// with <c>Created = false</c> (keys are unique per queue). Throws <see cref="QueueFullException"/> (storing nothing) when a queue's backlog limit would be passed.</summary>
    Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken = default);

    /// <summary>Claims up to <see cref="ClaimParams.Max"/> ready tasks: sets them running, increments their attempt,
    /// gives them a fresh lease token and expiry. Honours priority, run time, paused queues and queue concurrency limits.</summary>
    Task<IReadOnlyList<TaskRecord>> ClaimAsync(ClaimParams p, CancellationToken cancellationToken = default);

    /// <summary>Applies completions, each fenced by its lease token. Returns, in order, whether each was accepted
    /// (false: the lease was lost, e.g. rescued and re-claimed).</summary>
    Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases still held and reports which were lost and which have cancellation requested.</summary>
    Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken = default);

    /// <summary>Stores a running task's progress, fenced by its lease token. Returns false when the lease is lost.</summary>
    Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken = default);

    /// <summary>Returns tasks whose lease expired to the queue (or to dead after their last attempt).</summary>
    Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken = default);

    /// <summary>Reads one task.</summary>
    Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Lists tasks, newest first, with keyset pagination.</summary>
    Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default);

    /// <summary>Cancels a task: waiting tasks become cancelled at once; running ones are asked to stop.</summary>
    Task<CancelOutcome> CancelAsync(TaskActionParams p, CancellationToken cancellationToken = default);

    /// <summary>Manually retries a dead or cancelled task: it becomes available with at least one attempt left.</summary>
    Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken = default);

    /// <summary>Deletes a task that is not running.</summary>
    Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken = default);

    /// <summary>Counts tasks by queue and state.</summary>
    Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts the tasks matching a filter, up to <see cref="TaskCountParams.Cap"/> (the count a bulk action
    /// shows before it is confirmed). Reads stop at the cap, so the cost is bounded whatever the table's size.</summary>
    Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken = default);

    /// <summary>Counts the ready tasks (available, scheduled or retrying, due now) of one queue that the claim order
    /// (priority descending, then run time, then id) puts before the position given, up to <see cref="CountAheadParams.Cap"/>
    /// (a task's place in its queue's backlog). Reads at most the first <c>Cap</c> ready tasks in claim order, so a
    /// position past the cap counts as the cap.</summary>
    Task<long> CountAheadAsync(CountAheadParams p, CancellationToken cancellationToken = default);

    /// <summary>Manually retries up to <see cref="BulkTaskParams.Max"/> dead or cancelled tasks matching the filter
    /// (oldest first), as <see cref="RetryAsync"/> does one. Tasks in other states are never touched, whatever the
    /// filter's state. Returns how many were retried.</summary>
    Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to <see cref="BulkTaskParams.Max"/> tasks matching the filter (oldest first), never a
    /// running one. Returns how many were deleted.</summary>
    Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default);

    /// <summary>Retention: deletes up to <see cref="ExpiredTasksParams.Max"/> tasks in the given finished state that
    /// finished before the instant and that no workflow run owns (an event delivery's key link owns nothing), the
    /// earliest finished first within each queue. Returns how many were deleted; call again while it equals Max.</summary>
    Task<int> DeleteExpiredAsync(ExpiredTasksParams p, CancellationToken cancellationToken = default);

    /// <summary>Makes the given <see cref="TaskState.Waiting"/> tasks available now, in one statement; ids that are not
    /// waiting are left alone. Returns how many were released.</summary>
    Task<int> ReleaseAsync(ReleaseParams p, CancellationToken cancellationToken = default);

    /// <summary>Housekeeping of the tasks table that the database does not do soon enough by itself, run by the
    /// maintenance leader every couple of seconds (PostgreSQL: a <c>VACUUM</c> once enough dead row versions piled up).
    /// Returns whether it did anything. A store without such work does nothing.</summary>
    Task<bool> TidyAsync(CancellationToken cancellationToken = default) => Task.FromResult(false);
}

/// <summary>A task to insert, already validated and resolved against plugin defaults.</summary>
public sealed record NewTask
{
    /// <summary>Plugin name.</summary>
    public required string Plugin { get; init; }
    /// <summary>Args JSON object text.</summary>
    public required string ArgsJson { get; init; }
    /// <summary>Validated queue name.</summary>
    public required string Queue { get; init; }
    /// <summary>Priority; higher first.</summary>
    public int Priority { get; init; }
    /// <summary>Absolute run time, or null.</summary>
    public DateTimeOffset? RunAt { get; init; }
    /// <summary>Delay from the store's clock, or null. Ignored when <see cref="RunAt"/> is set.</summary>
    public TimeSpan? Delay { get; init; }
    /// <summary>Attempts allowed (1 or more).</summary>
    public required int MaxAttempts { get; init; }
    /// <summary>Per-task retry policy, or null for the plugin's/engine's.</summary>
    public RetryPolicy? Retry { get; init; }
    /// <summary>Per-attempt time limit.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Idempotency key, unique per queue.</summary>
    public string? UniqueKey { get; init; }
    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The submitting trace's W3C context, stored as is and returned on <see cref="TaskRecord.TraceContext"/>;
    /// null outside any trace.</summary>
    public string? TraceContext { get; init; }
    /// <summary>Store it <see cref="TaskState.Waiting"/>: not claimable until released. Default false.</summary>
    public bool Waiting { get; init; }
    /// <summary>What owns the task (e.g. <c>workflow:42/resize</c>), or null. Owned tasks are deleted with their owner,
    /// never by task retention.</summary>
    public string? Owner { get; init; }
}

/// <summary>Params of <see cref="ITaskStore.InsertAsync"/>.</summary>
/// <param name="Tasks">The tasks, in order; results come back in the same order.</param>
public sealed record InsertTasksParams(IReadOnlyList<NewTask> Tasks)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="ITaskStore.ClaimAsync"/>.</summary>
/// <param name="NodeId">The claiming node, recorded as the lease holder.</param>
/// <param name="Max">Most tasks to claim.</param>
/// <param name="LeaseDuration">How long the lease lasts without a heartbeat.</param>
public sealed record ClaimParams(string NodeId, int Max, TimeSpan LeaseDuration)
{
    /// <summary>Only these queues; null claims from every queue.</summary>
    public IReadOnlyList<string>? Queues { get; init; }
    /// <summary>Only tasks of these plugins (the ones the claiming node can run); null claims any plugin.</summary>
    public IReadOnlyList<string>? Plugins { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>How an attempt ended.</summary>
public enum CompletionKind
{
    /// <summary>Succeeded with a result.</summary>
    Succeeded,
    /// <summary>Failed; run again after <see cref="TaskCompletion.Delay"/>.</summary>
    Retry,
    /// <summary>Failed for good.</summary>
    Dead,
    /// <summary>Stopped because cancellation was requested.</summary>
    Cancelled,
    /// <summary>Asked to run again after <see cref="TaskCompletion.Delay"/> without spending the attempt.</summary>
    Snoozed,
    /// <summary>Handed back unfinished (shutdown); the attempt is not spent.</summary>
    Released,
}

/// <summary>One attempt's outcome.</summary>
/// <param name="Id">Task id.</param>
/// <param name="LeaseToken">The token the claim handed out; a stale token is rejected.</param>
/// <param name="Kind">The outcome.</param>
public sealed record TaskCompletion(long Id, Guid LeaseToken, CompletionKind Kind)
{
    /// <summary>Result JSON for <see cref="CompletionKind.Succeeded"/>.</summary>
    public string? ResultJson { get; init; }
    /// <summary>The error for failures (appended to the task's errors).</summary>
    public AttemptError? Error { get; init; }
    /// <summary>Wait before the next run (retry, snooze).</summary>
    public TimeSpan Delay { get; init; }
    /// <summary>The attempt's last progress report not stored yet, stored with the completion; null keeps the stored
    /// progress.</summary>
    public TaskProgress? Progress { get; init; }
    /// <summary>True when the caller knows the task has no owner (its claimed record had none; an owner is set only when
    /// a task is inserted). A batch of only unowned completions needs no completion hooks, so a store may write it as
    /// one statement without an explicit transaction. False (the default) is always safe.</summary>
    public bool Unowned { get; init; }
}

/// <summary>Params of <see cref="ITaskStore.CompleteAsync"/>.</summary>
public sealed record CompleteParams(IReadOnlyList<TaskCompletion> Completions)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A task's lease: id and token.</summary>
public readonly record struct LeaseRef(long Id, Guid LeaseToken);

/// <summary>Params of <see cref="ITaskStore.HeartbeatAsync"/>.</summary>
public sealed record HeartbeatParams(IReadOnlyList<LeaseRef> Leases, TimeSpan LeaseDuration)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A lease's state after a heartbeat.</summary>
/// <param name="Id">Task id.</param>
/// <param name="Held">False when the lease was lost (rescued, deleted or re-claimed).</param>
/// <param name="CancelRequested">True when someone asked to cancel the task.</param>
public readonly record struct LeaseStatus(long Id, bool Held, bool CancelRequested);

/// <summary>Params of <see cref="ITaskStore.SetProgressAsync"/>.</summary>
public sealed record ProgressParams(long Id, Guid LeaseToken, TaskProgress Progress);

/// <summary>Params of <see cref="ITaskStore.RescueAsync"/>.</summary>
/// <param name="Max">Most tasks to rescue in one call (keeps transactions short).</param>
public sealed record RescueParams(int Max)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>What a rescue did.</summary>
/// <param name="Requeued">Tasks returned to the queue for another attempt.</param>
/// <param name="Dead">Tasks that had used their last attempt and are now dead.</param>
public sealed record RescueResult(int Requeued, int Dead)
{
    /// <summary>The ids of the tasks that died (<see cref="Dead"/> of them), so that the engine can tell their observers
    /// (a dead event delivery goes to its namespace's dead letters). Compared by content.</summary>
    public IReadOnlyList<long> DeadIds { get; init; } = [];

    /// <inheritdoc/>
    public bool Equals(RescueResult? other) =>
        other is not null && Requeued == other.Requeued && Dead == other.Dead && DeadIds.SequenceEqual(other.DeadIds);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Requeued, Dead, DeadIds.Count);
}

/// <summary>Params of the single-task operator actions.</summary>
public sealed record TaskActionParams(long Id)
{
    /// <summary>Retry only: the task's new args (already validated), or null to keep them.</summary>
    public string? ArgsJson { get; init; }

    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>What a cancel did.</summary>
public enum CancelOutcome
{
    /// <summary>No such task.</summary>
    NotFound,
    /// <summary>It was waiting and is now cancelled.</summary>
    Cancelled,
    /// <summary>It is running; its worker was asked to stop.</summary>
    Requested,
    /// <summary>It had already finished; nothing changed.</summary>
    AlreadyFinished,
}

/// <summary>What a manual retry did.</summary>
public enum RetryOutcome
{
    /// <summary>No such task.</summary>
    NotFound,
    /// <summary>It is available again.</summary>
    Retried,
    /// <summary>It is not dead or cancelled; nothing changed.</summary>
    NotRetryable,
}

/// <summary>What a delete did.</summary>
public enum DeleteOutcome
{
    /// <summary>No such task.</summary>
    NotFound,
    /// <summary>Deleted.</summary>
    Deleted,
    /// <summary>It is running; cancel it first.</summary>
    Running,
}

/// <summary>Params of <see cref="ITaskStore.ReleaseAsync"/>.</summary>
/// <param name="Ids">The waiting tasks to make available (at most <see cref="MaxIds"/>).</param>
public sealed record ReleaseParams(IReadOnlyList<long> Ids)
{
    /// <summary>Most ids per call.</summary>
    public const int MaxIds = 10_000;

    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}
