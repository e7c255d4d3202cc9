using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>A unit of work on PostgreSQL: an open transaction (Nexus's own, from
/// <see cref="PostgresStore.InTransactionAsync{T}"/>, or the caller's, from <see cref="PostgresStore.Join"/>). Every
/// area store it hands out runs its statements on <see cref="Connection"/> inside <see cref="Transaction"/>.</summary>
internal sealed class PostgresStoreTransaction : IStoreTransaction
{
    private readonly PostgresDatabase db;
    private PostgresTaskStore? tasks;
    private PostgresWorkflowStore? workflows;
    private PostgresStateStore? state;
    private PostgresEventStore? events;
    private PostgresScheduleStore? schedules;

    public PostgresStoreTransaction(PostgresDatabase db, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        this.db = db;
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>Nexus commits this transaction itself (<see cref="PostgresStore.InTransactionAsync{T}"/>), so the
    /// event log's wake-up NOTIFY can follow the commit instead of being part of it.</summary>
    internal bool CommittedByNexus { get; init; }

    /// <summary>Events were appended in it without their NOTIFY: whoever commits sends it after the commit.</summary>
    internal bool EventsAppended { get; set; }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>The database settings bound to this transaction: components built over it run inside it.</summary>
    public PostgresDatabase Database => database ??= db.Join(this);

    private PostgresDatabase? database;

    /// <inheritdoc/>
    public ITaskStore Tasks => tasks ??= new PostgresTaskStore(Database);

    /// <inheritdoc/>
    public IWorkflowStore Workflows => workflows ??= new PostgresWorkflowStore(Database);
    public IStateStore State => state ??= new PostgresStateStore(Database, () => (PostgresEventStore)Events);
    public IEventStore Events => events ??= new PostgresEventStore(Database, ((PostgresTaskStore)Tasks).Inserter);
    public IScheduleStore Schedules => schedules ??= new PostgresScheduleStore(Database);
}
