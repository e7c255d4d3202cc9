namespace Nexus.Scheduling;

/// <summary>What to do with slots that were due while no node fired them (every node down, the schedule paused, a
/// long tick): a slot is late when it is seen more than <see cref="Hosting.NexusOptions.MisfireThreshold"/> after its time.</summary>
public enum MisfirePolicy
{
    /// <summary>Late slots are recorded as misfired and not run. The next on-time slot fires as usual.</summary>
    Skip,
    /// <summary>All late slots together fire once, at the latest of them; the others are recorded as misfired. Default.</summary>
    FireOnce,
    /// <summary>Every late slot within the schedule's catch-up window fires (oldest first, at most
    /// <see cref="ScheduleLimits.MaxCatchUpPerTick"/> per tick); older ones are recorded as misfired.</summary>
    FireAll,
}

/// <summary>What to do when a slot comes while the previous fire's task is still unfinished.</summary>
public enum OverlapPolicy
{
    /// <summary>The slot is recorded as skipped.</summary>
    Skip,
    /// <summary>The slot waits (one at most) and fires as soon as the previous task finishes; further slots meanwhile
    /// are skipped.</summary>
    BufferOne,
    /// <summary>The slot fires regardless. Default.</summary>
    AllowAll,
    /// <summary>The previous task is cancelled (a running one is asked to stop) and the slot fires.</summary>
    CancelPrevious,
}

/// <summary>Bounds of schedules.</summary>
public static class ScheduleLimits
{
    /// <summary>Most late slots one schedule fires in one tick under <see cref="MisfirePolicy.FireAll"/>.</summary>
    public const int MaxCatchUpPerTick = 100;
    /// <summary>Longest catch-up window: 7 days.</summary>
    public static readonly TimeSpan MaxCatchUpWindow = TimeSpan.FromDays(7);
    /// <summary>Most fires one preview returns.</summary>
    public const int MaxPreview = 1000;
}

/// <summary>What became of one slot, as kept in a schedule's history.</summary>
public enum FireOutcome
{
    /// <summary>The target ran (a task was submitted).</summary>
    Fired,
    /// <summary>Late and not run (misfire policy).</summary>
    Misfired,
    /// <summary>Not run because the previous fire's task was unfinished (overlap policy skip, or a second buffered slot).</summary>
    Skipped,
    /// <summary>Waiting for the previous task to finish (overlap policy buffer one).</summary>
    Buffered,
    /// <summary>The target could not run (e.g. no handler for event or workflow targets on this node, or the task was refused).</summary>
    Failed,
}

/// <summary>Wire names of the policy enums.</summary>
public static class ScheduleNames
{
    /// <summary>The wire name of a misfire policy: <c>skip</c>, <c>fire-once</c>, <c>fire-all</c>.</summary>
    public static string Name(this MisfirePolicy p) => p switch
    {
        MisfirePolicy.Skip => "skip",
        MisfirePolicy.FireOnce => "fire-once",
        _ => "fire-all",
    };

    /// <summary>The wire name of an overlap policy: <c>skip</c>, <c>buffer-one</c>, <c>allow-all</c>, <c>cancel-previous</c>.</summary>
    public static string Name(this OverlapPolicy p) => p switch
    {
        OverlapPolicy.Skip => "skip",
        OverlapPolicy.BufferOne => "buffer-one",
        OverlapPolicy.AllowAll => "allow-all",
        _ => "cancel-previous",
    };

    /// <summary>The wire name of an outcome: <c>fired</c>, <c>misfired</c>, <c>skipped</c>, <c>buffered</c>, <c>failed</c>.</summary>
    public static string Name(this FireOutcome o) => o.ToString().ToLowerInvariant();

    /// <summary>Parses a misfire policy's wire name; null when unknown.</summary>
    public static MisfirePolicy? ParseMisfire(string? s) => s switch
    {
        "skip" => MisfirePolicy.Skip,
        "fire-once" => MisfirePolicy.FireOnce,
        "fire-all" => MisfirePolicy.FireAll,
        _ => null,
    };

    /// <summary>Parses an overlap policy's wire name; null when unknown.</summary>
    public static OverlapPolicy? ParseOverlap(string? s) => s switch
    {
        "skip" => OverlapPolicy.Skip,
        "buffer-one" => OverlapPolicy.BufferOne,
        "allow-all" => OverlapPolicy.AllowAll,
        "cancel-previous" => OverlapPolicy.CancelPrevious,
        _ => null,
    };

    /// <summary>Parses an outcome's wire name; null when unknown.</summary>
    public static FireOutcome? ParseOutcome(string? s) => s switch
    {
        "fired" => FireOutcome.Fired,
        "misfired" => FireOutcome.Misfired,
        "skipped" => FireOutcome.Skipped,
        "buffered" => FireOutcome.Buffered,
        "failed" => FireOutcome.Failed,
        _ => null,
    };
}
