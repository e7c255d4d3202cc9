namespace Nexus.Tasks;

/// <summary>One reason a task is where it is: a machine code, a human sentence and the details behind it.</summary>
/// <param name="Code">One of <see cref="WhyCodes"/>.</param>
/// <param name="Message">A sentence for people, e.g. "Queue 'mail' is paused.".</param>
public sealed record WhyReason(string Code, string Message)
{
    /// <summary>When it ends (scheduled, backoff), or when it happened (running, finished).</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>The tasks involved: those holding the concurrency limit.</summary>
    public IReadOnlyList<long>? TaskIds { get; init; }
    /// <summary>The task's place in the claim order of its queue's ready tasks (1 is next), capped.</summary>
    public long? Position { get; init; }
    /// <summary>The concurrency limit, for <see cref="WhyCodes.ConcurrencyLimit"/>.</summary>
    public int? Limit { get; init; }
    /// <summary>The upstream steps waited on, for <see cref="WhyCodes.WaitingOnSteps"/>.</summary>
    public IReadOnlyList<string>? Steps { get; init; }
}
