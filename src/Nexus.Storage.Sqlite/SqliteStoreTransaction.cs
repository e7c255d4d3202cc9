using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>A unit of work on SQLite: the writer's <c>BEGIN IMMEDIATE</c> transaction, handed to the work of
/// <see cref="SqliteStore.InTransactionAsync{T}"/> and to hooks. Every area store it hands out runs on
/// <see cref="Transaction"/> directly; each call gets its own savepoint.</summary>
internal sealed class SqliteStoreTransaction : SqliteSession, IStoreTransaction
{
    private int _savepoints;
    private SqliteTaskStore? _tasks;
    private SqliteWorkflowStore? _workflows;
    private SqliteStateStore? _state;
    private SqliteEventStore? _events;
    private SqliteScheduleStore? _schedules;

    public SqliteStoreTransaction(SqliteStore store, SqliteTransaction transaction) : base(store) => Transaction = transaction;

    /// <summary>The open transaction on the writer connection.</summary>
    public SqliteTransaction Transaction { get; }

    /// <inheritdoc/>
    public ITaskStore Tasks => _tasks ??= new SqliteTaskStore(this);

    /// <inheritdoc/>
    public IWorkflowStore Workflows => _workflows ??= new SqliteWorkflowStore(this);
    public IStateStore State => _state ??= new SqliteStateStore(this);
    public IEventStore Events => _events ??= new SqliteEventStore(this);
    public IScheduleStore Schedules => _schedules ??= new SqliteScheduleStore(this);

    public override async Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var name = "uow" + ++_savepoints;
        Transaction.Save(name);
        // A call that throws rolls back to its savepoint, and its task count changes go with it.
        var counts = SqliteTaskCounts.Enter(Transaction.Connection!);
        try
        {
            var result = await work(Transaction);
            Transaction.Release(name);
            counts.Keep();
            return result;
        }
        catch
        {
            counts.Drop();
            Transaction.Rollback(name);
            Transaction.Release(name);
            throw;
        }
    }

    public override async Task<T> ReadAsync<T>(Func<SqliteCommand, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var command = Transaction.Connection!.CreateCommand();
        command.Transaction = Transaction;
        return await read(command);
    }

    public override SqliteStoreTransaction Join(SqliteTransaction transaction) =>
        ReferenceEquals(transaction, Transaction) ? this : new(Store, transaction);
}
