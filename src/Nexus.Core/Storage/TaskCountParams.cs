using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>Params of <see cref="ITaskStore.CountMatchingAsync"/>: how many tasks match a filter, counted up to a cap so
/// that the answer stays cheap at millions of rows (the dashboard shows "more than N" past the cap).</summary>
/// <param name="Filter">Which tasks (as the bulk actions and listing take it).</param>
/// <param name="Cap">Counting stops here, 1–<see cref="MaxCap"/>: the result is min(matching, cap).</param>
public sealed record TaskCountParams(TaskFilter Filter, long Cap)
{
    /// <summary>The largest cap a driver accepts.</summary>
    public const long MaxCap = 10_000_000;

    /// <summary>Only tasks in one of these states (with <see cref="TaskFilter.State"/>, both must hold); null: any state.
    /// Lets a caller count what a bulk action would touch (retry: dead or cancelled; delete: all but running).</summary>
    public IReadOnlyList<TaskState>? States { get; init; }

    /// <summary>Throws <see cref="TaskValidationException"/> naming the field when out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Filter);
        if (Cap is < 1 or > MaxCap) throw new TaskValidationException("cap", $"must be between 1 and {MaxCap} (was {Cap})");
        if (Filter.Queue is not null) QueueName.Validate(Filter.Queue);
        if (States is { Count: 0 }) throw new TaskValidationException("states", "must name at least one state, or be null for any state");
    }
}
