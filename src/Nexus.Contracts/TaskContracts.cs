using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Contracts;

/// <summary>A task to submit. Only <see cref="Plugin"/> and <see cref="Args"/> are required.</summary>
public sealed record SubmitTaskRequest
{
    /// <summary>An empty submission: set the fields with an initializer.</summary>
    public SubmitTaskRequest() { }

    /// <summary>A submission with its required fields; the others with an initializer.</summary>
    public SubmitTaskRequest(string plugin, JsonElement args)
    {
        Plugin = plugin;
        Args = args;
    }

    /// <summary>The registered plugin name, e.g. <c>text.generate</c>.</summary>
    public string? Plugin { get; init; }
    /// <summary>The plugin's arguments: a JSON object valid against its args schema (<c>GET /api/v1/plugins</c>).</summary>
    public JsonElement? Args { get; init; }
    /// <summary>Queue name. Default: the plugin's queue, else <c>default</c>.</summary>
    public string? Queue { get; init; }
    /// <summary>Higher runs first. Default 0.</summary>
    public int? Priority { get; init; }
    /// <summary>Run no earlier than this instant (ISO 8601), from 1970-01-01T00:00:00Z to 100 years from now. Not with a delay.</summary>
    public DateTimeOffset? RunAt { get; init; }
    /// <summary>Run no earlier than this many milliseconds after submit, 0 to 3,153,600,000,000 (100 years). Not with <see cref="RunAt"/> or <see cref="Delay"/>.</summary>
    public long? DelayMs { get; init; }
    /// <summary>The same as a duration text: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or ISO 8601 (<c>PT30S</c>); at most 100 years.</summary>
    public string? Delay { get; init; }
    /// <summary>Attempts allowed, 1–1000. Default: the plugin's, else the server's (25).</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Backoff between attempts for this task.</summary>
    public RetryRequest? Retry { get; init; }
    /// <summary>Time limit per attempt in milliseconds, 1 to 2,073,600,000 (24 days). Default: the plugin's, else none.</summary>
    public long? TimeoutMs { get; init; }
    /// <summary>Idempotency key (1–255 characters): a second submit with it returns the first task.</summary>
    public string? UniqueKey { get; init; }
    /// <summary>Labels for filtering (at most 32, each 1–64 characters).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}

/// <summary>Exponential backoff: the delay after attempt n is <c>min(maxDelayMs, initialDelayMs × multiplier^(n−1))</c> ± jitter.</summary>
public sealed record RetryRequest
{
    /// <summary>Delay after the first failure in milliseconds, 0 to 31,536,000,000 (365 days). Default 1000.</summary>
    public double? InitialDelayMs { get; init; }
    /// <summary>Growth per attempt, 1–100. Default 2.</summary>
    public double? Multiplier { get; init; }
    /// <summary>Cap on any delay in milliseconds, initialDelayMs to 31,536,000,000 (365 days). Default 3,600,000 (1 hour).</summary>
    public double? MaxDelayMs { get; init; }
    /// <summary>Random spread, 0–1. Default 0.2.</summary>
    public double? Jitter { get; init; }
}

/// <summary>Many tasks to submit at once: all are validated before any is stored, then stored in one round trip.</summary>
public sealed record SubmitBatchRequest
{
    /// <summary>The tasks, 1 to the server's batch limit (1000 by default).</summary>
    public IReadOnlyList<SubmitTaskRequest?>? Tasks { get; init; }
}

/// <summary>What a submit produced.</summary>
/// <param name="Id">The task id.</param>
/// <param name="Created">False when a task with the same unique key existed and is returned instead.</param>
public sealed record SubmitResponse(long Id, bool Created);

/// <summary>What a batch submit produced, in request order.</summary>
/// <param name="Results">One result per submitted task.</param>
public sealed record SubmitBatchResponse(IReadOnlyList<SubmitResponse> Results);

/// <summary>A task as stored. Times are ISO 8601 UTC; absent fields are null.</summary>
public sealed record TaskResponse
{
    /// <summary>The id.</summary>
    public required long Id { get; init; }
    /// <summary>The plugin that runs it.</summary>
    public required string Plugin { get; init; }
    /// <summary>The queue.</summary>
    public required string Queue { get; init; }
    /// <summary>Priority (higher first).</summary>
    public int Priority { get; init; }
    /// <summary>scheduled, available, running, succeeded, retrying, dead or cancelled.</summary>
    public required string State { get; init; }
    /// <summary>The args.</summary>
    public JsonElement Args { get; init; }
    /// <summary>The result, once succeeded.</summary>
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
    /// <summary>Tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Every failed attempt's error, oldest first.</summary>
    public IReadOnlyList<AttemptErrorResponse> Errors { get; init; } = [];
    /// <summary>Latest progress of the running attempt.</summary>
    public ProgressResponse? Progress { get; init; }
    /// <summary>Per-attempt time limit in milliseconds.</summary>
    public long? TimeoutMs { get; init; }
    /// <summary>The task's own backoff, when it has one.</summary>
    public RetryRequest? Retry { get; init; }
    /// <summary>Cancellation was asked for while it ran.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>True when the task is in a final state (succeeded, dead or cancelled). Not on the wire.</summary>
    [JsonIgnore]
    public bool IsFinished => TaskStates.IsFinished(State);
}

/// <summary>One failed attempt.</summary>
/// <param name="Attempt">Its number (1-based).</param>
/// <param name="At">When it failed.</param>
/// <param name="Type">The error's kind, e.g. <c>InvalidOperationException</c> or <c>LeaseExpired</c>.</param>
/// <param name="Message">The message.</param>
/// <param name="StackTrace">The stack trace, when there is one.</param>
public sealed record AttemptErrorResponse(int Attempt, DateTimeOffset At, string Type, string Message, string? StackTrace);

/// <summary>Progress of a running attempt.</summary>
/// <param name="Fraction">0 to 1.</param>
/// <param name="Message">A note.</param>
public sealed record ProgressResponse(double Fraction, string? Message);

/// <summary>A page of tasks, newest first.</summary>
/// <param name="Items">The tasks.</param>
/// <param name="Next">Pass as <c>before</c> to get the next page; null on the last page.</param>
public sealed record TaskListResponse(IReadOnlyList<TaskResponse> Items, string? Next);

/// <summary>What an action on one task did.</summary>
/// <param name="Id">The task.</param>
/// <param name="Outcome">cancelled, requested (a running task was asked to stop), or retried.</param>
public sealed record TaskActionResponse(long Id, string Outcome);
