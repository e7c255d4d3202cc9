using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>Params of <see cref="ITaskStore.CountAheadAsync"/>: a position in a queue's claim order.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Priority">The position's priority (higher is claimed first).</param>
/// <param name="RunAt">The position's run time (earlier is claimed first among equal priorities).</param>
/// <param name="Id">The position's task id (lower is claimed first among equal priorities and run times).</param>
/// <param name="Cap">Counting stops here, 1–<see cref="TaskCountParams.MaxCap"/>.</param>
public sealed record CountAheadParams(string Queue, int Priority, DateTimeOffset RunAt, long Id, long Cap)
{
    /// <summary>Explicit clock for tests; null uses the store's clock (only tasks due by then are ready).</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Throws <see cref="TaskValidationException"/> naming the field when out of range.</summary>
    public void Validate()
    {
        QueueName.Validate(Queue);
        if (Cap is < 1 or > TaskCountParams.MaxCap) throw new TaskValidationException("cap", $"must be between 1 and {TaskCountParams.MaxCap} (was {Cap})");
    }
}
