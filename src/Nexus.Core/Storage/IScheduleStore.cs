using Nexus.Scheduling;

namespace Nexus.Storage;

/// <summary>
/// Schedules and their fires. A fire is a row unique per (schedule, slot), inserted in the same unit of work as the
/// task it submits and as the move of the schedule's cursor (compared with the cursor the firing node read), so
/// however many nodes run the scheduler, each slot is decided once: the database refuses the second.
/// </summary>
public interface IScheduleStore
{
    /// <summary>Creates a schedule or replaces its definition. A new or replaced schedule starts its cursor at
    /// <see cref="UpsertScheduleParams.Cursor"/> (slots before are never fired); pause state and history are kept on replace.</summary>
    Task<ScheduleRecord> UpsertAsync(UpsertScheduleParams p, CancellationToken cancellationToken = default);

    /// <summary>Reads one schedule, or null.</summary>
    Task<ScheduleRecord?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists schedules by name, after <see cref="ListSchedulesParams.After"/>.</summary>
    Task<IReadOnlyList<ScheduleRecord>> ListAsync(ListSchedulesParams p, CancellationToken cancellationToken = default);

    /// <summary>Deletes a schedule and its history (its tasks stay). False when there is none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Pauses (with a reason and an optional automatic resume time) or resumes a schedule; null when there is none.</summary>
    Task<ScheduleRecord?> SetPausedAsync(PauseScheduleParams p, CancellationToken cancellationToken = default);

    /// <summary>Resumes paused schedules whose resume time has come; returns how many.</summary>
    Task<int> ResumeDueAsync(DateTimeOffset? now, CancellationToken cancellationToken = default);

    /// <summary>Active schedules with a slot due (next fire at or before now) or a buffered slot, oldest due first.</summary>
    Task<IReadOnlyList<ScheduleRecord>> DueAsync(DueSchedulesParams p, CancellationToken cancellationToken = default);

    /// <summary>Records one node's decisions for one schedule: inserts each fire row and moves the cursor from
    /// <see cref="ScheduleFireBatch.ExpectedCursor"/>. Throws <see cref="SlotTakenException"/>, storing nothing, when
    /// another node decided any of these slots (or moved the cursor) first. Called on
    /// <see cref="IStoreTransaction.Schedules"/> in the unit of work that inserted the fired tasks, a refusal rolls the
    /// tasks back with it.</summary>
    Task FireAsync(ScheduleFireBatch batch, CancellationToken cancellationToken = default);

    /// <summary>A schedule's fires, newest slot first.</summary>
    Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(ScheduleHistoryParams p, CancellationToken cancellationToken = default);
}

/// <summary>Another node decided the slot first; nothing was stored.</summary>
public sealed class SlotTakenException(string schedule, DateTimeOffset slot)
    : NexusException("slot-taken", $"Schedule '{schedule}' slot {slot:O} was decided by another node.")
{
    /// <summary>The schedule.</summary>
    public string Schedule { get; } = schedule;
    /// <summary>The slot.</summary>
    public DateTimeOffset Slot { get; } = slot;
}

/// <summary>A schedule as stored.</summary>
public sealed record ScheduleRecord
{
    /// <summary>Unique name (the id).</summary>
    public required string Name { get; init; }
    /// <summary>The cron expression.</summary>
    public required string Cron { get; init; }
    /// <summary>IANA time zone id; <c>UTC</c> by default.</summary>
    public required string TimeZone { get; init; }
    /// <summary><c>task</c>, <c>event</c> or <c>workflow</c>.</summary>
    public required string TargetKind { get; init; }
    /// <summary>The target object's JSON (what is inside <c>{"task": …}</c>).</summary>
    public required string TargetJson { get; init; }
    /// <summary>Misfire policy.</summary>
    public MisfirePolicy Misfire { get; init; }
    /// <summary>How far back <see cref="MisfirePolicy.FireAll"/> catches up.</summary>
    public TimeSpan CatchUpWindow { get; init; }
    /// <summary>Overlap policy.</summary>
    public OverlapPolicy Overlap { get; init; }
    /// <summary>Free text.</summary>
    public string? Description { get; init; }
    /// <summary>Paused schedules do not fire.</summary>
    public bool Paused { get; init; }
    /// <summary>Why it was paused.</summary>
    public string? PauseReason { get; init; }
    /// <summary>When a paused schedule resumes by itself, or null.</summary>
    public DateTimeOffset? ResumeAt { get; init; }
    /// <summary>The latest slot decided (fired, misfired, skipped or buffered), or the time the schedule was created or replaced.</summary>
    public DateTimeOffset Cursor { get; init; }
    /// <summary>The first slot after the cursor, or null when the expression has no more.</summary>
    public DateTimeOffset? NextFireAt { get; init; }
    /// <summary>A slot waiting for the previous task to finish (overlap policy buffer one), or null.</summary>
    public DateTimeOffset? BufferedSlot { get; init; }
    /// <summary>The task of the latest fire, or null.</summary>
    public long? LastTaskId { get; init; }
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When its definition or pause state last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One decided slot as kept in the history.</summary>
public sealed record ScheduleFireRecord
{
    /// <summary>The schedule.</summary>
    public required string Schedule { get; init; }
    /// <summary>The slot (the instant the expression named).</summary>
    public DateTimeOffset Slot { get; init; }
    /// <summary>What became of it.</summary>
    public FireOutcome Outcome { get; init; }
    /// <summary>The task submitted, for <see cref="FireOutcome.Fired"/> task targets.</summary>
    public long? TaskId { get; init; }
    /// <summary>For a misfire row: how many slots it stands for (this one and the earlier ones since the previous row).</summary>
    public int Count { get; init; } = 1;
    /// <summary>Why (e.g. "previous task 41 unfinished").</summary>
    public string? Detail { get; init; }
    /// <summary>The node that decided it.</summary>
    public string Node { get; init; } = "";
    /// <summary>When it was decided (store clock).</summary>
    public DateTimeOffset DecidedAt { get; init; }
}

/// <summary>Params of <see cref="IScheduleStore.UpsertAsync"/>; the definition is already validated.</summary>
public sealed record UpsertScheduleParams
{
    /// <summary>Unique name.</summary>
    public required string Name { get; init; }
    /// <summary>Cron expression.</summary>
    public required string Cron { get; init; }
    /// <summary>Time zone id.</summary>
    public required string TimeZone { get; init; }
    /// <summary><c>task</c>, <c>event</c> or <c>workflow</c>.</summary>
    public required string TargetKind { get; init; }
    /// <summary>The target's JSON.</summary>
    public required string TargetJson { get; init; }
    /// <summary>Misfire policy.</summary>
    public MisfirePolicy Misfire { get; init; }
    /// <summary>Catch-up window of <see cref="MisfirePolicy.FireAll"/>.</summary>
    public TimeSpan CatchUpWindow { get; init; }
    /// <summary>Overlap policy.</summary>
    public OverlapPolicy Overlap { get; init; }
    /// <summary>Free text.</summary>
    public string? Description { get; init; }
    /// <summary>Where the cursor starts (the scheduler's clock at the change): no slot at or before it fires.</summary>
    public required DateTimeOffset Cursor { get; init; }
    /// <summary>The first slot after <see cref="Cursor"/>, or null.</summary>
    public DateTimeOffset? NextFireAt { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IScheduleStore.ListAsync"/>.</summary>
public sealed record ListSchedulesParams
{
    /// <summary>Names after this one (keyset paging); null starts at the first.</summary>
    public string? After { get; init; }
    /// <summary>Most rows. Default 100.</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>Params of <see cref="IScheduleStore.SetPausedAsync"/>.</summary>
/// <param name="Name">The schedule.</param>
/// <param name="Paused">True pauses, false resumes.</param>
public sealed record PauseScheduleParams(string Name, bool Paused)
{
    /// <summary>Why (pause only).</summary>
    public string? Reason { get; init; }
    /// <summary>Resume automatically at this time (pause only).</summary>
    public DateTimeOffset? ResumeAt { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IScheduleStore.DueAsync"/>.</summary>
/// <param name="Max">Most schedules.</param>
public sealed record DueSchedulesParams(int Max)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>One node's decisions for one schedule, applied at once by <see cref="IScheduleStore.FireAsync"/>.</summary>
public sealed record ScheduleFireBatch
{
    /// <summary>The schedule.</summary>
    public required string Name { get; init; }
    /// <summary>The cursor the node read; the batch is refused when it moved meanwhile.</summary>
    public required DateTimeOffset ExpectedCursor { get; init; }
    /// <summary>The cursor after the batch (its latest new slot, or the expected cursor when it only fires a buffered slot).</summary>
    public required DateTimeOffset NewCursor { get; init; }
    /// <summary>The first slot after <see cref="NewCursor"/>.</summary>
    public DateTimeOffset? NextFireAt { get; init; }
    /// <summary>The decided slots, oldest first.</summary>
    public required IReadOnlyList<ScheduleFireRow> Rows { get; init; }
    /// <summary>The deciding node.</summary>
    public string Node { get; init; } = "";
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>One decided slot in a <see cref="ScheduleFireBatch"/>.</summary>
/// <param name="Slot">The slot.</param>
/// <param name="Outcome">The decision.</param>
public sealed record ScheduleFireRow(DateTimeOffset Slot, FireOutcome Outcome)
{
    /// <summary>The task it submitted (fired task targets), inserted in the same unit of work.</summary>
    public long? TaskId { get; init; }
    /// <summary>Slots it stands for (misfire rows).</summary>
    public int Count { get; init; } = 1;
    /// <summary>Why.</summary>
    public string? Detail { get; init; }
    /// <summary>True when it fires the schedule's buffered slot (the row exists as buffered and becomes this one).</summary>
    public bool FromBuffer { get; init; }
}

/// <summary>Params of <see cref="IScheduleStore.HistoryAsync"/>.</summary>
/// <param name="Name">The schedule.</param>
public sealed record ScheduleHistoryParams(string Name)
{
    /// <summary>Slots before this one (keyset paging); null starts at the newest.</summary>
    public DateTimeOffset? Before { get; init; }
    /// <summary>Most rows. Default 100.</summary>
    public int Limit { get; init; } = 100;
}
