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
    /// <summary>With <see cref="Args"/>: how many ids below the cursor (or the newest task) one page looks through,
    /// 1–1,000,000. Default <see cref="DefaultArgsScanWindow"/>. The args are not indexed, so a page stops at this
    /// window even when it found fewer than <see cref="Limit"/> tasks; its <see cref="TaskPage.NextBeforeId"/> then
    /// points below the window while older tasks remain, so every page costs about the same at any table size.</summary>
    public int ArgsScanWindow { get; init; } = DefaultArgsScanWindow;

    /// <summary>The default <see cref="ArgsScanWindow"/>: about 50 ms of SQLite on a 2-core machine.</summary>
    public const int DefaultArgsScanWindow = 100_000;

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
/// <param name="NextBeforeId">The cursor for the next page, or null at the end. A search inside args
/// (<see cref="TaskQuery.Args"/>) may answer fewer tasks than the limit, even none, with a cursor: the page stopped at
/// its <see cref="TaskQuery.ArgsScanWindow"/> and older tasks remain to be searched.</param>
public sealed record TaskPage(IReadOnlyList<TaskRecord> Items, long? NextBeforeId);

/// <summary>Counts of tasks by state in one queue.</summary>
/// <param name="Queue">The queue name.</param>
/// <param name="Counts">Count per state; states with no task are absent.</param>
public sealed record QueueCounts(string Queue, IReadOnlyDictionary<TaskState, long> Counts);
