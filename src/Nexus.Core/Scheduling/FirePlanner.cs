namespace Nexus.Scheduling;

/// <summary>Which slots since a schedule's cursor fire and which are misfires, by the misfire policy.</summary>
/// <param name="Fire">Slots to run, oldest first (overlap is judged afterwards, slot by slot).</param>
/// <param name="Missed">How many slots are misfires.</param>
/// <param name="LastMissed">The latest misfired slot, or null when none.</param>
/// <param name="NewCursor">The latest slot decided, or null when no slot is due.</param>
public sealed record FirePlan(IReadOnlyList<DateTimeOffset> Fire, int Missed, DateTimeOffset? LastMissed, DateTimeOffset? NewCursor);

/// <summary>
/// The misfire rules, written once and free of storage so they can be tested as a table. A slot is late when it is
/// more than the threshold before now. At most <see cref="MaxScan"/> slots are looked at per call; the rest are
/// decided on the next tick (an every-second schedule down for a day catches up in a few ticks, never in one huge one).
/// </summary>
public static class FirePlanner
{
    /// <summary>Most slots one call looks at.</summary>
    public const int MaxScan = 10_000;

    /// <summary>Plans the slots in (<paramref name="cursor"/>, <paramref name="now"/>].</summary>
    public static FirePlan Plan(CronSlots cron, DateTimeOffset cursor, DateTimeOffset now, MisfirePolicy policy, TimeSpan catchUpWindow, TimeSpan threshold)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var slots = cron.Between(cursor, now, MaxScan);
        if (slots.Count == 0) return new FirePlan([], 0, null, null);
        var more = slots.Count == MaxScan;
        var lateBefore = now - threshold;
        var late = slots.Where(s => s < lateBefore).ToList();
        var onTime = slots.Where(s => s >= lateBefore).ToList();
        var fire = new List<DateTimeOffset>();
        var missed = new List<DateTimeOffset>();
        switch (policy)
        {
            case MisfirePolicy.Skip:
                missed.AddRange(late);
                fire.AddRange(onTime);
                break;
            case MisfirePolicy.FireOnce:
                if (late.Count > 0 && (more || onTime.Count > 0))
                {
                    // More late slots follow (next tick fires their latest), or on-time slots follow: these are all missed.
                    missed.AddRange(late);
                }
                else if (late.Count > 0)
                {
                    missed.AddRange(late.Take(late.Count - 1));
                    fire.Add(late[^1]);
                }
                fire.AddRange(onTime);
                break;
            default:
                var windowStart = now - catchUpWindow;
                missed.AddRange(late.Where(s => s < windowStart));
                var catchUp = late.Where(s => s >= windowStart).ToList();
                if (catchUp.Count > ScheduleLimits.MaxCatchUpPerTick)
                {
                    // Fire the oldest now; the cursor stops at the last of them and the next tick goes on.
                    fire.AddRange(catchUp.Take(ScheduleLimits.MaxCatchUpPerTick));
                    return new FirePlan(fire, missed.Count, missed.Count > 0 ? missed[^1] : null, fire[^1]);
                }
                fire.AddRange(catchUp);
                fire.AddRange(onTime);
                break;
        }
        return new FirePlan(fire, missed.Count, missed.Count > 0 ? missed[^1] : null, slots[^1]);
    }
}
