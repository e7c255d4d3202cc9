using Npgsql;
using Nexus.Events;
using Nexus.Storage;
using Nexus.Storage.Postgres;

namespace Nexus;

/// <summary>Emits events inside your own PostgreSQL transaction: they exist exactly when it commits.</summary>
/// <example><code>
/// await using var conn = await store.DataSource.OpenConnectionAsync();
/// await using var tx = await conn.BeginTransactionAsync();
/// // ... your own writes on conn/tx ...
/// await events.EmitAsync(store, tx, "shop", [EventRequest.Of("orders.created", new { id = 42 })]);
/// await tx.CommitAsync(); // the order row and its event appear together, or neither does
/// </code></example>
public static class PostgresTransactionalEmit
{
    /// <summary>Validates <paramref name="requests"/> as <see cref="INexusEvents.EmitManyAsync"/> does, then appends them
    /// in <paramref name="transaction"/>. Results are in request order.</summary>
    /// <param name="events">The Nexus event service (validation).</param>
    /// <param name="store">The application's store; must be the PostgreSQL one.</param>
    /// <param name="transaction">An open transaction on the store's database.</param>
    /// <param name="namespace">The namespace (must exist).</param>
    /// <param name="requests">The events.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <exception cref="TaskValidationException">A request is invalid; nothing was appended.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="store"/> is not a <see cref="PostgresStore"/>.</exception>
    public static Task<IReadOnlyList<AppendResult>> EmitAsync(
        this INexusEvents events,
        INexusStore store,
        NpgsqlTransaction transaction,
        string @namespace,
        IReadOnlyList<EventRequest> requests,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(transaction);
        if (store is not PostgresStore postgres)
        {
            throw new InvalidOperationException($"Transactional emits need the PostgreSQL store; this application uses the '{store.Driver}' store.");
        }
        Names.Namespace(@namespace);
        var rows = events.Prepare(requests);
        return postgres.AppendAsync(transaction, new AppendEventsParams(@namespace, rows), cancellationToken);
    }
}
