using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Scheduling;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>
/// The scheduler loop, on every node (not only the leader): each tick resumes schedules whose pause has run out, reads
/// the schedules with a slot due, and for each decides its slots (misfire policy, then overlap policy slot by slot)
/// and stores them in one unit of work: the fired tasks (or the writes of an event or workflow target's handler) and one
/// row per (schedule, slot). The store refuses the rows when another node decided first, which rolls the tasks back
/// too, so a slot is fired once however many nodes tick at the same moment.
/// </summary>
internal sealed class Scheduler(
    INexusStore store,
    ScheduleService schedules,
    NexusOptions options,
    StoreClock clock,
    ScheduleMetrics metrics,
    WakeSignal wake,
    ILogger logger) : BackgroundLoop(clock.Time, logger)
{
    private const int MaxDuePerTick = 100;

    protected override string What => "scheduler";

    protected override TimeSpan Interval => options.SchedulerInterval;

    protected override bool TickAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        var now = clock.Time.GetUtcNow();
        await store.Schedules.ResumeDueAsync(now, stop).ConfigureAwait(false);
        var due = await store.Schedules.DueAsync(new DueSchedulesParams(MaxDuePerTick) { Now = now }, stop).ConfigureAwait(false);
        var fired = false;
        foreach (var schedule in due)
        {
            try
            {
                fired |= await FireAsync(schedule, now, stop).ConfigureAwait(false);
            }
            catch (SlotTakenException ex)
            {
                metrics.Conflict();
                Logger.LogDebug("Schedule {Schedule}: slot {Slot} was decided by another node.", ex.Schedule, ex.Slot);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Logger.LogError(ex, "Schedule {Schedule} could not fire; it is tried again next tick.", schedule.Name);
            }
        }
        if (fired) wake.Set();
    }

    /// <summary>A decided slot and, for a fired task target, the task it submits.</summary>
    private sealed record Planned(ScheduleFireRow Row, NewTask? Task = null);

    /// <summary>Decides and stores one schedule's due slots; true when a task was submitted.</summary>
    internal async Task<bool> FireAsync(ScheduleRecord s, DateTimeOffset now, CancellationToken stop)
    {
        var cron = CronSlots.Parse(s.Cron, s.TimeZone);
        var isTask = s.TargetKind == ScheduleTargetKinds.Task;
        var previousUnfinished = isTask && s.LastTaskId is { } last && await UnfinishedAsync(last, stop).ConfigureAwait(false);
        var bufferTaken = s.BufferedSlot is not null;
        var rows = new List<Planned>();
        int? lastFire = null; // index into rows of this batch's latest fire
        var cancelStored = false; // the stored previous task is to be cancelled (overlap policy cancel-previous)

        if (s.BufferedSlot is { } buffered && !previousUnfinished)
        {
            var fire = Fire(s, buffered, isTask);
            rows.Add(fire with { Row = fire.Row with { FromBuffer = true } });
            lastFire = rows.Count - 1;
            previousUnfinished = isTask;
            bufferTaken = false;
        }

        var plan = FirePlanner.Plan(cron, s.Cursor, now, s.Misfire, s.CatchUpWindow, options.MisfireThreshold);
        if (plan.Missed > 0 && plan.LastMissed is { } lastMissed)
        {
            rows.Add(new Planned(new ScheduleFireRow(lastMissed, FireOutcome.Misfired)
            {
                Count = plan.Missed,
                Detail = plan.Missed == 1 ? $"late (misfire policy {s.Misfire.Name()})" : $"{plan.Missed} slots late up to this one (misfire policy {s.Misfire.Name()})",
            }));
        }
        foreach (var slot in plan.Fire)
        {
            var decision = isTask ? OverlapRule.Decide(s.Overlap, previousUnfinished, bufferTaken) : OverlapDecision.Fire;
            switch (decision)
            {
                case OverlapDecision.Fire:
                    rows.Add(Fire(s, slot, isTask));
                    lastFire = rows.Count - 1;
                    previousUnfinished = isTask;
                    break;
                case OverlapDecision.Skip:
                    rows.Add(new Planned(new ScheduleFireRow(slot, FireOutcome.Skipped) { Detail = bufferTaken ? "previous task unfinished and a slot already buffered" : "previous task unfinished (overlap policy skip)" }));
                    break;
                case OverlapDecision.Buffer:
                    rows.Add(new Planned(new ScheduleFireRow(slot, FireOutcome.Buffered) { Detail = "waiting for the previous task to finish" }));
                    bufferTaken = true;
                    break;
                default:
                    if (lastFire is { } earlier)
                    {
                        // The previous fire is in this same batch and not stored yet: it is superseded, never submitted.
                        rows[earlier] = new Planned(new ScheduleFireRow(rows[earlier].Row.Slot, FireOutcome.Skipped) { Detail = "superseded by a later slot of the same catch-up (overlap policy cancel-previous)" });
                        rows.Add(Fire(s, slot, isTask));
                    }
                    else
                    {
                        cancelStored = true;
                        var fire = Fire(s, slot, isTask);
                        rows.Add(fire with { Row = fire.Row with { Detail = $"previous task {s.LastTaskId} cancelled (overlap policy cancel-previous)" } });
                    }
                    lastFire = rows.Count - 1;
                    break;
            }
        }
        if (rows.Count == 0) return false;

        if (cancelStored && s.LastTaskId is { } previous)
        {
            // Cancel first: a cancel that reaches a finished task changes nothing, and the new fire goes ahead either way.
            await store.Tasks.CancelAsync(new TaskActionParams(previous), stop).ConfigureAwait(false);
        }
        var newCursor = plan.NewCursor ?? s.Cursor;
        var handler = isTask ? null : schedules.Handler(s.TargetKind);
        var submitted = await store.InTransactionAsync(async (tx, ct) =>
        {
            // The tasks, the other targets' writes and the fire rows commit together: a refused fire row rolls all back.
            var newTasks = rows.Where(r => r.Task is not null).Select(r => r.Task!).ToList();
            var ids = newTasks.Count == 0 ? [] : await tx.Tasks.InsertAsync(new InsertTasksParams(newTasks) { Now = clock.Now }, ct).ConfigureAwait(false);
            var next = 0;
            var final = new List<ScheduleFireRow>(rows.Count);
            foreach (var planned in rows)
            {
                var row = planned.Row;
                if (planned.Task is not null) row = row with { TaskId = ids[next++].Id };
                else if (handler is not null && row.Outcome == FireOutcome.Fired)
                {
                    try
                    {
                        var made = await handler.FireAsync(tx, new ScheduleFire(s.Name, row.Slot, s.TargetJson), ct).ConfigureAwait(false);
                        row = row with { Detail = made ?? row.Detail };
                    }
                    catch (ScheduleTargetException ex)
                    {
                        // The target cannot run (its workflow or namespace is gone): recorded, not retried every tick.
                        row = row with { Outcome = FireOutcome.Failed, Detail = ex.Message };
                    }
                }
                final.Add(row);
            }
            await tx.Schedules.FireAsync(new ScheduleFireBatch
            {
                Name = s.Name,
                ExpectedCursor = s.Cursor,
                NewCursor = newCursor,
                NextFireAt = cron.Next(newCursor),
                Rows = final,
                Node = options.NodeId,
                Now = now,
            }, ct).ConfigureAwait(false);
            return (Submitted: ids.Count, Rows: final);
        }, stop).ConfigureAwait(false);
        foreach (var row in submitted.Rows) metrics.Decided(s.Name, row.Outcome, row.Count);
        return submitted.Submitted > 0;
    }

    private Planned Fire(ScheduleRecord s, DateTimeOffset slot, bool isTask)
    {
        if (!isTask)
        {
            return schedules.Handler(s.TargetKind) is null
                ? new Planned(new ScheduleFireRow(slot, FireOutcome.Failed) { Detail = $"no handler for {s.TargetKind} targets on node {options.NodeId}" })
                : new Planned(new ScheduleFireRow(slot, FireOutcome.Fired));
        }
        try
        {
            return new Planned(new ScheduleFireRow(slot, FireOutcome.Fired), schedules.ToNewTask(s.Name, slot, s.TargetJson));
        }
        catch (NexusException ex)
        {
            // E.g. the plugin is no longer registered: the slot is recorded as failed rather than retried forever.
            return new Planned(new ScheduleFireRow(slot, FireOutcome.Failed) { Detail = ex.Message });
        }
    }

    private async Task<bool> UnfinishedAsync(long id, CancellationToken stop)
    {
        var task = await store.Tasks.GetAsync(id, stop).ConfigureAwait(false);
        return task is not null && !task.State.IsTerminal();
    }
}
