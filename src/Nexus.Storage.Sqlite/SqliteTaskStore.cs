using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>The task store on SQLite: a façade over the inserter, claimer, completer, leases, queries and bulk actions,
/// all written against a <see cref="SqliteSession"/>, so the same code runs through the writer or inside a unit of work.</summary>
internal sealed class SqliteTaskStore(SqliteSession session) : ITaskStore
{
    internal const string Ready = "('available','scheduled','retrying')";
    private readonly SqliteTaskInserter _inserter = new(session);
    private readonly SqliteTaskClaimer _claimer = new(session);
    private readonly SqliteTaskCompleter _completer = new(session);
    private readonly SqliteTaskLeases _leases = new(session);
    private readonly SqliteTaskQueries _queries = new(session);
    private readonly SqliteBulkActions _bulk = new(session);

    public Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken = default) => _inserter.InsertAsync(p, cancellationToken);

    public Task<IReadOnlyList<TaskRecord>> ClaimAsync(ClaimParams p, CancellationToken cancellationToken = default) => _claimer.ClaimAsync(p, cancellationToken);

    public Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken = default) => _completer.CompleteAsync(p, cancellationToken);

    public Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken = default) => _leases.HeartbeatAsync(p, cancellationToken);

    public Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken = default) => _leases.SetProgressAsync(p, cancellationToken);

    public Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken = default) => _leases.RescueAsync(p, cancellationToken);

    public Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default) => _queries.GetAsync(id, cancellationToken);

    public Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default) => _queries.ListAsync(query, cancellationToken);

    public Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken = default) => _queries.CountAsync(cancellationToken);

    public Task<CancelOutcome> CancelAsync(TaskActionParams p, CancellationToken cancellationToken = default) => _queries.CancelAsync(p, cancellationToken);

    public Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken = default) => _queries.RetryAsync(p, cancellationToken);

    public Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken = default) => _queries.DeleteAsync(p, cancellationToken);

    public Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken = default) => _queries.CountMatchingAsync(p, cancellationToken);

    public Task<long> CountAheadAsync(CountAheadParams p, CancellationToken cancellationToken = default) => _queries.CountAheadAsync(p, cancellationToken);

    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) => _bulk.RetryManyAsync(p, cancellationToken);

    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) => _bulk.DeleteManyAsync(p, cancellationToken);

    public Task<int> DeleteExpiredAsync(ExpiredTasksParams p, CancellationToken cancellationToken = default) => _bulk.DeleteExpiredAsync(p, cancellationToken);

    public Task<int> ReleaseAsync(ReleaseParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Ids.Count == 0) return Task.FromResult(0);
        if (p.Ids.Count > ReleaseParams.MaxIds) throw new ArgumentOutOfRangeException(nameof(p), p.Ids.Count, $"At most {ReleaseParams.MaxIds} ids per release.");
        return session.WriteAsync(async tx =>
        {
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks SET state = 'available', run_at = $now
                WHERE id IN (SELECT value FROM json_each($ids)) AND state = 'waiting'
                RETURNING queue
                """);
            update.Add("$now", session.NowMs(p.Now));
            update.Add("$ids", JsonSerializer.Serialize(p.Ids));
            return await SqliteTaskCounts.MovedReturningAsync(tx, update, "waiting", "available", cancellationToken);
        }, cancellationToken);
    }
}
