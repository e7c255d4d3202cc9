namespace Nexus.Storage;

/// <summary>
/// One unit of work: a store transaction that writes of several areas join, so that they commit together or not at
/// all (a step completion and the steps it releases; an event and its deliveries; a state write and its log entry).
/// Get one from <see cref="INexusStore.InTransactionAsync{T}"/> (or, on PostgreSQL, <c>PostgresStore.Join</c> over
/// your own <c>NpgsqlTransaction</c>); every call on its area stores runs inside it. Reads through it see its own
/// uncommitted writes.
/// </summary>
public interface IStoreTransaction
{
    /// <summary>The task store, joined to this transaction.</summary>
    ITaskStore Tasks { get; }

    /// <summary>The workflow store, joined to this transaction.</summary>
    IWorkflowStore Workflows { get; }
    /// <summary>The state store, joined to this transaction.</summary>
    IStateStore State { get; }
    /// <summary>The event log, joined to this transaction: an append commits with the other writes.</summary>
    IEventStore Events { get; }
    /// <summary>The schedule store, joined to this transaction (a fire row commits with the task it submitted).</summary>
    IScheduleStore Schedules { get; }
}
