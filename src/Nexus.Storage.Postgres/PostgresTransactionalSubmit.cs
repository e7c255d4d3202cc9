using Npgsql;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Storage.Postgres;
using Nexus.Tasks;

namespace Nexus;

/// <summary>Submits tasks inside your own PostgreSQL transaction: the tasks exist exactly when it commits.</summary>
/// <example><code>
/// // tasks: INexusTasks and store: PostgresStore, both from dependency injection after UsePostgres(...).
/// await using var conn = await store.DataSource.OpenConnectionAsync();
/// await using var tx = await conn.BeginTransactionAsync();
/// // ... your own writes on conn/tx ...
/// await tasks.SubmitAsync(store, tx, [new TaskRequest("send-email", """{"to":"a@b.c"}""")]);
/// await tx.CommitAsync(); // the order row and its task appear together, or neither does
/// </code></example>
public static class PostgresTransactionalSubmit
{
    // Same name as the engine's source, so one subscription to "Nexus" sees this submit span too.
    private static readonly System.Diagnostics.ActivitySource Spans = new(Observability.NexusTelemetry.ActivitySourceName);

    /// <summary>Validates <paramref name="requests"/> as <see cref="INexusTasks.SubmitManyAsync"/> does, then inserts
    /// them in <paramref name="transaction"/>. Results are in request order; a unique key already taken returns the
    /// existing id with <c>Created = false</c>.</summary>
    /// <param name="tasks">The Nexus task service (validation and defaults).</param>
    /// <param name="store">The application's store; must be the PostgreSQL one (inject <see cref="PostgresStore"/>,
    /// or pass the <see cref="INexusStore"/> singleton).</param>
    /// <param name="transaction">An open transaction on the store's database.</param>
    /// <param name="requests">The tasks to submit.</param>
    /// <param name="cancellationToken">Cancels the insert.</param>
    /// <exception cref="TaskValidationException">A request is invalid; nothing was inserted.</exception>
    /// <exception cref="QueueFullException">A backlog limit refused the batch; the transaction stays usable.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="store"/> is not a <see cref="PostgresStore"/>.</exception>
    public static Task<IReadOnlyList<SubmitResult>> SubmitAsync(
        this INexusTasks tasks,
        INexusStore store,
        NpgsqlTransaction transaction,
        IReadOnlyList<TaskRequest> requests,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(requests);
        if (store is not PostgresStore postgres)
        {
            throw new InvalidOperationException(
                $"Transactional submits need the PostgreSQL store; this application uses the '{store.Driver}' store.");
        }
        return InsertAsync(tasks, postgres, transaction, requests, cancellationToken);
    }

    private static async Task<IReadOnlyList<SubmitResult>> InsertAsync(
        INexusTasks tasks, PostgresStore postgres, NpgsqlTransaction transaction, IReadOnlyList<TaskRequest> requests, CancellationToken cancellationToken)
    {
        // The tasks store this span's context (Prepare captures the current activity), so their execution continues it.
        using var span = Spans.StartActivity("nexus.submit", System.Diagnostics.ActivityKind.Producer);
        span?.SetTag("messaging.system", "nexus");
        span?.SetTag("nexus.task.count", requests.Count);
        span?.SetTag("nexus.transactional", true);
        var rows = tasks.Prepare(requests);
        return await postgres.InsertAsync(transaction, new InsertTasksParams(rows), cancellationToken).ConfigureAwait(false);
    }
}
