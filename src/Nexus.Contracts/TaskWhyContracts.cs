namespace Nexus.Contracts;

/// <summary>Why a task is not running (<c>GET /api/v1/tasks/{id}/why</c>): every reason found, in the order they must clear; a running or finished task has one reason saying so.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="State">Its state: scheduled, available, retrying, waiting, running, succeeded, dead or cancelled.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Plugin">Its plugin.</param>
/// <param name="Reasons">At least one.</param>
public sealed record TaskWhyResponse(long TaskId, string State, string Queue, string Plugin, IReadOnlyList<WhyReasonResponse> Reasons);

/// <summary>One reason. Absent details are null.</summary>
/// <param name="Code">scheduled, backoff, queue-paused, concurrency-limit, backlog, no-worker, waiting-on-steps, waiting-on-key, waiting, ready, running or finished.</param>
/// <param name="Message">A sentence for people.</param>
public sealed record WhyReasonResponse(string Code, string Message)
{
    /// <summary>When it ends (scheduled, backoff) or happened (running, finished), ISO 8601 UTC.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>The running tasks holding the concurrency limit.</summary>
    public IReadOnlyList<long>? TaskIds { get; init; }
    /// <summary>The concurrency limit.</summary>
    public int? Limit { get; init; }
    /// <summary>Its place among its queue's ready tasks in the claim order (1 is next; counted up to 10,001).</summary>
    public long? Position { get; init; }
    /// <summary>The upstream steps waited on, each with its state.</summary>
    public IReadOnlyList<string>? Steps { get; init; }
}
