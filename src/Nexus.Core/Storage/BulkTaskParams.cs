using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>Which tasks a bulk action touches. Every property is optional; unset ones match every task.</summary>
public sealed record TaskFilter
{
    /// <summary>Only tasks in this state. Bulk actions also apply their own state rule (see each action).</summary>
    public TaskState? State { get; init; }
    /// <summary>Only tasks of this plugin.</summary>
    public string? Plugin { get; init; }
    /// <summary>Only tasks in this queue.</summary>
    public string? Queue { get; init; }
    /// <summary>Only tasks carrying this tag.</summary>
    public string? Tag { get; init; }
    /// <summary>Only tasks created at or after this instant.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only tasks created before this instant.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }
    /// <summary>Only tasks that finished (succeeded, dead or cancelled) before this instant; used by retention.</summary>
    public DateTimeOffset? FinishedBefore { get; init; }
    /// <summary>Only tasks whose args hold this value at this path.</summary>
    public ArgsMatch? Args { get; init; }
    /// <summary>Only tasks no workflow run owns (retention: a run's tasks are deleted with it); an event delivery's key
    /// link (<see cref="Events.DeliveryOwner"/>) counts as no owner. Default false.</summary>
    public bool Unowned { get; init; }
}

/// <summary>Params of the bulk actions <see cref="ITaskStore.RetryManyAsync"/> and <see cref="ITaskStore.DeleteManyAsync"/>.
/// At most <see cref="Max"/> tasks are touched, oldest (lowest id) first, in one statement; call again while the
/// result equals <see cref="Max"/> to work through more.</summary>
/// <param name="Filter">Which tasks.</param>
/// <param name="Max">Most tasks touched by one call, 1–<see cref="MaxLimit"/>.</param>
public sealed record BulkTaskParams(TaskFilter Filter, int Max)
{
    /// <summary>The largest <see cref="Max"/> a driver accepts: keeps one call's transaction short.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Throws <see cref="TaskValidationException"/> naming the field when out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Filter);
        if (Max is < 1 or > MaxLimit) throw new TaskValidationException("max", $"must be between 1 and {MaxLimit} (was {Max})");
        if (Filter.Queue is not null) QueueName.Validate(Filter.Queue);
    }
}
