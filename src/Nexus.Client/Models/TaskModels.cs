using System.Text.Json;

namespace Nexus.Client;

/// <summary>A task to submit (<c>POST /api/v1/tasks</c>). Only <see cref="Plugin"/> and <see cref="Args"/> are required;
/// fields left null are not sent, so the server's defaults apply.</summary>
/// <param name="Plugin">The registered plugin name, e.g. <c>text.wordcount</c>.</param>
/// <param name="Args">The plugin's arguments: a JSON object valid against its args schema (<see cref="PluginInfo.ArgsSchema"/>).</param>
public sealed record TaskSubmission(string Plugin, JsonElement Args)
{
    /// <summary>Queue name. Default (null): the plugin's queue, else <c>default</c>.</summary>
    public string? Queue { get; init; }
    /// <summary>Higher runs first. Default (null): 0.</summary>
    public int? Priority { get; init; }
    /// <summary>Run no earlier than this instant. Give at most one of <see cref="RunAt"/>, <see cref="DelayMs"/> and <see cref="Delay"/>.</summary>
    public DateTimeOffset? RunAt { get; init; }
    /// <summary>Run no earlier than this many milliseconds after submit.</summary>
    public long? DelayMs { get; init; }
    /// <summary>The delay as text: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c> or ISO 8601 (<c>PT30S</c>).</summary>
    public string? Delay { get; init; }
    /// <summary>Attempts allowed, 1–1000. Default (null): the plugin's, else the server's (25).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Backoff between attempts. Default (null): the plugin's, else the server's.</summary>
    public RetrySettings? Retry { get; init; }
    /// <summary>Time limit per attempt in milliseconds. Default (null): the plugin's, else none.</summary>
    public long? TimeoutMs { get; init; }
    /// <summary>Idempotency key (1–255 characters): a second submit with it returns the first task.</summary>
    public string? UniqueKey { get; init; }
    /// <summary>Labels for filtering (at most 32, each 1–64 characters). Default (null): none.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}

/// <summary>Exponential backoff: the delay after attempt n is <c>min(maxDelayMs, initialDelayMs × multiplier^(n−1))</c> ± jitter.
/// Fields left null take the server's defaults (1000 ms, 2, 3,600,000 ms, 0.2).</summary>
public sealed record RetrySettings
{
    /// <summary>Delay after the first failure in milliseconds. Default 1000.</summary>
    public double? InitialDelayMs { get; init; }
    /// <summary>Growth per attempt, 1–100. Default 2.</summary>
    public double? Multiplier { get; init; }
    /// <summary>Cap on any delay in milliseconds. Default 3,600,000 (1 hour).</summary>
    public double? MaxDelayMs { get; init; }
    /// <summary>Random spread, 0–1. Default 0.2.</summary>
    public double? Jitter { get; init; }
}

/// <summary>What a submit produced.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Created">False when a task with the same unique key existed; its id is returned.</param>
public sealed record SubmittedTask(long Id, bool Created);

/// <summary>A task as the server stores it. Times are UTC.</summary>
public sealed record TaskInfo
{
    /// <summary>The id.</summary>
    public required long Id { get; init; }
    /// <summary>The plugin that runs it.</summary>
    public required string Plugin { get; init; }
    /// <summary>The queue.</summary>
    public required string Queue { get; init; }
    /// <summary>Priority (higher first).</summary>
    public int Priority { get; init; }
    /// <summary>One of <see cref="TaskStates"/>: scheduled, available, running, succeeded, retrying, dead, cancelled.</summary>
    public required string State { get; init; }
    /// <summary>The args.</summary>
    public JsonElement Args { get; init; }
    /// <summary>The result, once succeeded; null before.</summary>
    public JsonElement? Result { get; init; }
    /// <summary>Attempts started.</summary>
    public int Attempt { get; init; }
    /// <summary>Attempts allowed.</summary>
    public int MaxAttempts { get; init; }
    /// <summary>When it becomes (or became) claimable.</summary>
    public DateTimeOffset RunAt { get; init; }
    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the latest attempt started.</summary>
    public DateTimeOffset? AttemptedAt { get; init; }
    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The node running it (or, once the attempt ended, the one that ran it).</summary>
    public string? LeasedBy { get; init; }
    /// <summary>What owns the task (a workflow run and step), or null.</summary>
    public string? Owner { get; init; }
    /// <summary>When the running attempt's lease runs out unless renewed.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    /// <summary>The idempotency key.</summary>
    public string? UniqueKey { get; init; }
    /// <summary>Tags (empty when none).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Every failed attempt's error, oldest first.</summary>
    public IReadOnlyList<TaskAttemptError> Errors { get; init; } = [];
    /// <summary>Latest progress of the running attempt.</summary>
    public TaskProgress? Progress { get; init; }
    /// <summary>Per-attempt time limit in milliseconds.</summary>
    public long? TimeoutMs { get; init; }
    /// <summary>The task's own backoff, when it has one.</summary>
    public RetrySettings? Retry { get; init; }
    /// <summary>Cancellation was asked for while it ran.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>True when the task is in a final state (succeeded, dead or cancelled).</summary>
    public bool IsFinished => TaskStates.IsFinished(State);
}

/// <summary>The task state names the server uses.</summary>
public static class TaskStates
{
    /// <summary>Stored but not claimable until what it waits on (upstream workflow steps, a signal, an event, the
    /// delivery before it of a key) releases it.</summary>
    public const string Waiting = "waiting";
    /// <summary>Waiting for its <c>runAt</c>.</summary>
    public const string Scheduled = "scheduled";
    /// <summary>Ready to be claimed.</summary>
    public const string Available = "available";
    /// <summary>An attempt is running.</summary>
    public const string Running = "running";
    /// <summary>Finished with a result.</summary>
    public const string Succeeded = "succeeded";
    /// <summary>Failed; waiting for the next attempt.</summary>
    public const string Retrying = "retrying";
    /// <summary>Failed for good (a dead letter).</summary>
    public const string Dead = "dead";
    /// <summary>Cancelled.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Every state, in the order of a task's life.</summary>
    public static IReadOnlyList<string> All { get; } = [Waiting, Scheduled, Available, Running, Retrying, Succeeded, Dead, Cancelled];

    /// <summary>True for succeeded, dead and cancelled.</summary>
    public static bool IsFinished(string state) => state is Succeeded or Dead or Cancelled;
}

/// <summary>One failed attempt.</summary>
/// <param name="Attempt">Its number (1-based).</param>
/// <param name="At">When it failed.</param>
/// <param name="Type">The error's kind, e.g. <c>InvalidOperationException</c> or <c>LeaseExpired</c>.</param>
/// <param name="Message">The message.</param>
/// <param name="StackTrace">The stack trace, when there is one.</param>
public sealed record TaskAttemptError(int Attempt, DateTimeOffset At, string Type, string Message, string? StackTrace);

/// <summary>Progress of a running attempt.</summary>
/// <param name="Fraction">0 to 1.</param>
/// <param name="Message">A note.</param>
public sealed record TaskProgress(double Fraction, string? Message);

/// <summary>A page of tasks, newest first.</summary>
/// <param name="Items">The tasks.</param>
/// <param name="Next">Pass as <see cref="TaskQuery.Before"/> to get the next page; null on the last page.</param>
public sealed record TaskPage(IReadOnlyList<TaskInfo> Items, string? Next);

/// <summary>Filters and paging for <c>GET /api/v1/tasks</c> and <c>GET /api/v1/dead-letters</c>; null fields are not sent.</summary>
public sealed record TaskQuery
{
    /// <summary>Only tasks in this state (ignored by the dead-letter list, which is always <c>dead</c>).</summary>
    public string? State { get; init; }
    /// <summary>Only this plugin's tasks.</summary>
    public string? Plugin { get; init; }
    /// <summary>Only this queue's tasks.</summary>
    public string? Queue { get; init; }
    /// <summary>Only tasks with this tag.</summary>
    public string? Tag { get; init; }
    /// <summary>Only tasks created at or after this instant.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only tasks created before this instant.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }
    /// <summary>The cursor: the <see cref="TaskPage.Next"/> of the previous page.</summary>
    public string? Before { get; init; }
    /// <summary>Page size, 1–1000. Default (null): the server's, 50.</summary>
    public int? Limit { get; init; }
}

/// <summary>What an action on one task did.</summary>
/// <param name="Id">The task.</param>
/// <param name="Outcome"><c>cancelled</c>, <c>requested</c> (a running task was asked to stop), or <c>retried</c>.</param>
public sealed record TaskActionResult(long Id, string Outcome);
