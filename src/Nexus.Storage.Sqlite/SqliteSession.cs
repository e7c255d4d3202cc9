using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>Where the SQLite area stores run their SQL: through the store's single writer (each call its own write of
/// a batch) or inside a unit of work that is already open (<see cref="SqliteStoreTransaction"/>). Area stores are
/// written once against this and serve both.</summary>
internal abstract class SqliteSession(SqliteStore store)
{
    public SqliteStore Store { get; } = store;

    /// <summary>The store's clock in Unix milliseconds, or <paramref name="now"/> when a test gives one.</summary>
    public long NowMs(DateTimeOffset? now) => Store.NowMs(now);

    /// <summary>Runs a write in a transaction: the writer's, or the open unit of work's (inside a savepoint, so that a
    /// write that throws leaves nothing behind while the unit of work goes on).</summary>
    public abstract Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Runs a read: on a pooled reader connection, or inside the open unit of work (seeing its writes).</summary>
    public abstract Task<T> ReadAsync<T>(Func<SqliteCommand, Task<T>> read, CancellationToken cancellationToken);

    /// <summary>The unit of work that <paramref name="transaction"/> belongs to, for hooks.</summary>
    public abstract SqliteStoreTransaction Join(SqliteTransaction transaction);
}

/// <summary>The default session: every write goes through the store's writer, every read through the reader pool.</summary>
internal sealed class SqliteWriterSession(SqliteStore store) : SqliteSession(store)
{
    public override Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        Store.WriteAsync(work, cancellationToken);

    public override async Task<T> ReadAsync<T>(Func<SqliteCommand, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await Store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        return await read(command);
    }

    public override SqliteStoreTransaction Join(SqliteTransaction transaction) => new(Store, transaction);
}
