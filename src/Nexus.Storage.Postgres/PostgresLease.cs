using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>A connection for one call of a task component: a pooled one it owns (disposed after the call), or the
/// connection of an open unit of work (left open). <see cref="BeginAsync"/> starts a transaction of its own only when
/// the call is not already inside one.</summary>
internal readonly struct PostgresLease(NpgsqlConnection connection, PostgresStoreTransaction? joined) : IAsyncDisposable
{
    public NpgsqlConnection Connection => connection;

    /// <summary>The unit of work this call runs in, or null when it runs on its own.</summary>
    public PostgresStoreTransaction? Joined => joined;

    /// <summary>A transaction for the call: a new one, or nothing to do inside a unit of work (which commits later).</summary>
    public async ValueTask<PostgresTxScope> BeginAsync(CancellationToken cancellationToken) =>
        joined is not null ? default : new PostgresTxScope(await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));

    public ValueTask DisposeAsync() => joined is null ? connection.DisposeAsync() : ValueTask.CompletedTask;
}

/// <summary>The call's own transaction, or none inside a unit of work.</summary>
internal readonly struct PostgresTxScope(NpgsqlTransaction? own) : IAsyncDisposable
{
    public NpgsqlTransaction? Transaction => own;

    public Task CommitAsync(CancellationToken cancellationToken) => own?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => own?.DisposeAsync() ?? ValueTask.CompletedTask;
}
