using Nexus.Storage;

namespace Nexus.Tasks;

/// <summary>What one transition does to a column of the task row.</summary>
public enum ColumnChange
{
    /// <summary>Left as it was.</summary>
    Kept,
    /// <summary>Given a new value.</summary>
    Set,
    /// <summary>Emptied (null, or false for flags).</summary>
    Cleared,
    /// <summary>Raised by one.</summary>
    Incremented,
    /// <summary>Lowered by one (never below zero): the attempt is not spent.</summary>
    Refunded,
    /// <summary>Given one more entry (the attempt's error), when there is one.</summary>
    Appended,
}

/// <summary>The columns of a task row that transitions change.</summary>
public enum TaskColumn
{
    /// <summary><c>state</c>.</summary>
    State,
    /// <summary><c>run_at</c>: when it may run next.</summary>
    RunAt,
    /// <summary><c>attempt</c>.</summary>
    Attempt,
    /// <summary><c>attempted_at</c>: when the current attempt started.</summary>
    AttemptedAt,
    /// <summary><c>finished_at</c>.</summary>
    FinishedAt,
    /// <summary><c>lease_token</c>.</summary>
    LeaseToken,
    /// <summary><c>lease_expires_at</c>.</summary>
    LeaseExpiresAt,
    /// <summary><c>leased_by</c>: the node or external worker that holds (or, once it ended, held) the last lease.</summary>
    LeasedBy,
    /// <summary><c>result</c>.</summary>
    Result,
    /// <summary><c>errors</c>.</summary>
    Errors,
    /// <summary><c>progress</c>.</summary>
    Progress,
    /// <summary><c>cancel_requested</c>.</summary>
    CancelRequested,
}

/// <summary>One transition of the task state machine: from which states, to which, and what it does to each column
/// (columns it does not name are kept).</summary>
/// <param name="Name">What causes it, e.g. <c>claim</c> or <c>complete: retry</c>.</param>
/// <param name="From">The states it may start from.</param>
/// <param name="To">The state it leads to.</param>
/// <param name="Changes">What it does to the columns it changes.</param>
public sealed record TaskTransition(string Name, IReadOnlyList<TaskState> From, TaskState To, IReadOnlyDictionary<TaskColumn, ColumnChange> Changes)
{
    /// <summary>What the transition does to <paramref name="column"/>.</summary>
    public ColumnChange Of(TaskColumn column) => Changes.TryGetValue(column, out var change) ? change : ColumnChange.Kept;
}

/// <summary>
/// The one table of the task state machine: which state goes to which, and which columns each transition sets or
/// clears. Both drivers follow it, docs/state-machine.md draws it, and the storage contract suite pins every column
/// after every transition against it.
/// </summary>
public static class TaskTransitions
{
    private static readonly TaskState[] Ready = [TaskState.Available, TaskState.Scheduled, TaskState.Retrying];
    private static readonly TaskState[] Running = [TaskState.Running];

    private static Dictionary<TaskColumn, ColumnChange> LeaseEnds(params (TaskColumn Column, ColumnChange Change)[] more)
    {
        var changes = new Dictionary<TaskColumn, ColumnChange>
        {
            [TaskColumn.State] = ColumnChange.Set,
            [TaskColumn.LeaseToken] = ColumnChange.Cleared,
            [TaskColumn.LeaseExpiresAt] = ColumnChange.Cleared,
            // leased_by stays: who ran the last attempt is what an operator asks after it ended.
            // progress stays too, or takes the attempt's last report when the completion carries one.
        };
        foreach (var (column, change) in more) changes[column] = change;
        return changes;
    }

    /// <summary>A worker claims a ready task whose run time has come: a new attempt under a fresh lease.</summary>
    public static TaskTransition Claim { get; } = new("claim", Ready, TaskState.Running, new Dictionary<TaskColumn, ColumnChange>
    {
        [TaskColumn.State] = ColumnChange.Set,
        [TaskColumn.Attempt] = ColumnChange.Incremented,
        [TaskColumn.AttemptedAt] = ColumnChange.Set,
        [TaskColumn.LeaseToken] = ColumnChange.Set,
        [TaskColumn.LeaseExpiresAt] = ColumnChange.Set,
        [TaskColumn.LeasedBy] = ColumnChange.Set,
        [TaskColumn.Progress] = ColumnChange.Cleared,
    });

    /// <summary>The attempt returned a result.</summary>
    public static TaskTransition Succeeded { get; } = new("complete: succeeded", Running, TaskState.Succeeded,
        LeaseEnds((TaskColumn.Result, ColumnChange.Set), (TaskColumn.FinishedAt, ColumnChange.Set)));

    /// <summary>The attempt failed with attempts left: it waits for its backoff.</summary>
    public static TaskTransition Retry { get; } = new("complete: retry", Running, TaskState.Retrying,
        LeaseEnds((TaskColumn.RunAt, ColumnChange.Set), (TaskColumn.Errors, ColumnChange.Appended), (TaskColumn.FinishedAt, ColumnChange.Cleared)));

    /// <summary>The last attempt failed, or a failure was permanent.</summary>
    public static TaskTransition Dead { get; } = new("complete: dead", Running, TaskState.Dead,
        LeaseEnds((TaskColumn.Errors, ColumnChange.Appended), (TaskColumn.FinishedAt, ColumnChange.Set)));

    /// <summary>The attempt stopped because cancellation was requested.</summary>
    public static TaskTransition Cancelled { get; } = new("complete: cancelled", Running, TaskState.Cancelled,
        LeaseEnds((TaskColumn.Errors, ColumnChange.Appended), (TaskColumn.FinishedAt, ColumnChange.Set)));

    /// <summary>The attempt asked to run later: the attempt is not spent.</summary>
    public static TaskTransition Snoozed { get; } = new("complete: snoozed", Running, TaskState.Scheduled,
        LeaseEnds((TaskColumn.RunAt, ColumnChange.Set), (TaskColumn.Attempt, ColumnChange.Refunded), (TaskColumn.FinishedAt, ColumnChange.Cleared)));

    /// <summary>The attempt was handed back unfinished (shutdown, engine fault, prefetched and never started).</summary>
    public static TaskTransition Released { get; } = new("complete: released", Running, TaskState.Available,
        LeaseEnds((TaskColumn.RunAt, ColumnChange.Set), (TaskColumn.Attempt, ColumnChange.Refunded), (TaskColumn.FinishedAt, ColumnChange.Cleared)));

    /// <summary>The maintenance leader found the lease expired, attempts left: back to the queue, the lapse recorded.</summary>
    public static TaskTransition RescueRetry { get; } = new("rescue: retry", Running, TaskState.Retrying,
        LeaseEnds((TaskColumn.RunAt, ColumnChange.Set), (TaskColumn.Errors, ColumnChange.Appended), (TaskColumn.FinishedAt, ColumnChange.Cleared)));

    /// <summary>The maintenance leader found the lease expired on the last attempt.</summary>
    public static TaskTransition RescueDead { get; } = new("rescue: dead", Running, TaskState.Dead,
        LeaseEnds((TaskColumn.Errors, ColumnChange.Appended), (TaskColumn.FinishedAt, ColumnChange.Set)));

    /// <summary>What a waiting task waits on releases it: available now.</summary>
    public static TaskTransition Release { get; } = new("release", [TaskState.Waiting], TaskState.Available, new Dictionary<TaskColumn, ColumnChange>
    {
        [TaskColumn.State] = ColumnChange.Set,
        [TaskColumn.RunAt] = ColumnChange.Set,
    });

    /// <summary>An operator cancels a task that is not running.</summary>
    public static TaskTransition Cancel { get; } = new("cancel", [.. Ready, TaskState.Waiting], TaskState.Cancelled, new Dictionary<TaskColumn, ColumnChange>
    {
        [TaskColumn.State] = ColumnChange.Set,
        [TaskColumn.FinishedAt] = ColumnChange.Set,
    });

    /// <summary>An operator retries a dead or cancelled task: available now, with at least one more attempt allowed.</summary>
    public static TaskTransition ManualRetry { get; } = new("retry", [TaskState.Dead, TaskState.Cancelled], TaskState.Available, new Dictionary<TaskColumn, ColumnChange>
    {
        [TaskColumn.State] = ColumnChange.Set,
        [TaskColumn.RunAt] = ColumnChange.Set,
        [TaskColumn.FinishedAt] = ColumnChange.Cleared,
        [TaskColumn.CancelRequested] = ColumnChange.Cleared,
    });

    /// <summary>Every transition, in the order docs/state-machine.md lists them.</summary>
    public static IReadOnlyList<TaskTransition> All { get; } =
        [Claim, Succeeded, Retry, Dead, Cancelled, Snoozed, Released, RescueRetry, RescueDead, Release, Cancel, ManualRetry];

    /// <summary>The transition a completion of <paramref name="kind"/> makes.</summary>
    public static TaskTransition Of(CompletionKind kind) => kind switch
    {
        CompletionKind.Succeeded => Succeeded,
        CompletionKind.Retry => Retry,
        CompletionKind.Dead => Dead,
        CompletionKind.Cancelled => Cancelled,
        CompletionKind.Snoozed => Snoozed,
        CompletionKind.Released => Released,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown completion kind."),
    };
}
