namespace Nexus.Client;

/// <summary>Why a task is not running (<see cref="TasksClient.WhyAsync"/>): every reason found, in the order they must
/// clear; a running or finished task has one reason saying so.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="State">Its state when diagnosed.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Plugin">Its plugin.</param>
/// <param name="Reasons">At least one.</param>
public sealed record TaskWhy(long TaskId, string State, string Queue, string Plugin, IReadOnlyList<WhyReason> Reasons);

/// <summary>One reason a task is not running. Absent details are null.</summary>
/// <param name="Code"><c>scheduled</c>, <c>backoff</c>, <c>queue-paused</c>, <c>concurrency-limit</c>, <c>backlog</c>,
/// <c>no-worker</c>, <c>waiting-on-steps</c>, <c>waiting-on-key</c>, <c>waiting</c>, <c>ready</c>, <c>running</c> or
/// <c>finished</c>.</param>
/// <param name="Message">A sentence for people.</param>
public sealed record WhyReason(string Code, string Message)
{
    /// <summary>When it ends (scheduled, backoff) or happened (running, finished).</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>The running tasks holding the concurrency limit.</summary>
    public IReadOnlyList<long>? TaskIds { get; init; }
    /// <summary>The concurrency limit.</summary>
    public int? Limit { get; init; }
    /// <summary>The task's place among its queue's ready tasks in the claim order (1 is next).</summary>
    public long? Position { get; init; }
    /// <summary>The upstream steps waited on, each with its state.</summary>
    public IReadOnlyList<string>? Steps { get; init; }
}
