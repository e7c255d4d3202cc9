namespace Nexus.Scheduling;

/// <summary>
/// Runs the non-task targets of schedules (<c>event</c>, <c>workflow</c>): register one per kind in DI
/// (<c>services.AddSingleton&lt;IScheduleTargetHandler, MyHandler&gt;()</c>). Without a handler of its kind, a slot is
/// recorded as <see cref="FireOutcome.Failed"/> with the reason. A handler runs inside the unit of work that records the
/// slot's row: its writes through the transaction it is given commit with that row, and roll back when another node
/// decided the slot first, so a slot's target runs once. On SQLite it must be short and use only that transaction's
/// stores (never the store's own). Throwing rolls the slot back; the scheduler tries it again on its next tick — except
/// <see cref="ScheduleTargetException"/>, thrown before writing anything, which records the slot as failed with its
/// message (a target that can never run, e.g. its workflow or namespace is gone).
/// </summary>
public interface IScheduleTargetHandler
{
    /// <summary><see cref="ScheduleTargetKinds.Event"/> or <see cref="ScheduleTargetKinds.Workflow"/>.</summary>
    string Kind { get; }

    /// <summary>Validates a target's JSON when a schedule is created; throws <see cref="TaskValidationException"/> naming the field.</summary>
    void Validate(string targetJson);

    /// <summary>Runs the target for one slot inside <paramref name="transaction"/>; returns a short reference to what it made
    /// (e.g. <c>event 123</c>) for the history, or null.</summary>
    Task<string?> FireAsync(Storage.IStoreTransaction transaction, ScheduleFire fire, CancellationToken cancellationToken);
}

/// <summary>One slot of one schedule being fired.</summary>
/// <param name="Schedule">The schedule's name.</param>
/// <param name="Slot">The slot.</param>
/// <param name="TargetJson">The target object's JSON (inside <c>{"event": …}</c> or <c>{"workflow": …}</c>).</param>
public sealed record ScheduleFire(string Schedule, DateTimeOffset Slot, string TargetJson)
{
    /// <summary>A key unique to this (schedule, slot), for idempotent targets.</summary>
    public string IdempotencyKey => $"schedule:{Schedule}:{Slot.ToUnixTimeMilliseconds()}";
}

/// <summary>Thrown by an <see cref="IScheduleTargetHandler"/> before it writes anything, when the slot's target cannot run
/// (its workflow or namespace does not exist): the slot is recorded <see cref="FireOutcome.Failed"/> with the message
/// instead of being tried again on every tick.</summary>
public sealed class ScheduleTargetException(string message) : NexusException("schedule-target", message);
