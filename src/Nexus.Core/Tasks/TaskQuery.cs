namespace Nexus.Tasks;

/// <summary>A filter over tasks, newest first, with keyset pagination on the id.</summary>
public sealed record TaskQuery
{
    /// <summary>Only tasks in this state.</summary>
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
    /// <summary>Only tasks whose args hold this value at this path.</summary>
    public Storage.ArgsMatch? Args { get; init; }
    /// <summary>Keyset cursor: only tasks with an id below this one (pass the previous page's <see cref="TaskPage.NextBeforeId"/>).</summary>
    public long? BeforeId { get; init; }
    /// <summary>Page size, 1–1000. Default 50.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>The query's filters (without paging), as the bulk actions take them: drivers build one WHERE clause for both.</summary>
    public Storage.TaskFilter AsFilter() => new()
    {
        State = State,
        Plugin = Plugin,
        Queue = Queue,
        Tag = Tag,
        CreatedFrom = CreatedFrom,
        CreatedBefore = CreatedBefore,
        Args = Args,
    };
}

/// <summary>One page of tasks.</summary>
/// <param name="Items">The tasks, newest first.</param>
/// <param name="NextBeforeId">The cursor for the next page, or null at the end.</param>
public sealed record TaskPage(IReadOnlyList<TaskRecord> Items, long? NextBeforeId);

/// <summary>Counts of tasks by state in one queue.</summary>
/// <param name="Queue">The queue name.</param>
/// <param name="Counts">Count per state; states with no task are absent.</param>
public sealed record QueueCounts(string Queue, IReadOnlyDictionary<TaskState, long> Counts);
