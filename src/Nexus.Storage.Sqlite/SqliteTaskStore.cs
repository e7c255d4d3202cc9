using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>The hot path on SQLite: each call is one <c>BEGIN IMMEDIATE</c> transaction with prepared statements reused per row.</summary>
internal sealed class SqliteTaskStore(SqliteStore store) : ITaskStore
{
    private const string Ready = "('available','scheduled','retrying')";
    private readonly SqliteTaskQueries _queries = new(store);
    private readonly SqliteBulkActions _bulk = new(store);

    public Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync(tx => InsertAsync(tx, p, cancellationToken), cancellationToken);

    /// <summary>The insert inside the caller's write transaction (a schedule's fire row and its task commit together).</summary>
    internal async Task<IReadOnlyList<SubmitResult>> InsertAsync(SqliteTransaction tx, InsertTasksParams p, CancellationToken cancellationToken)
    {
        var now = store.NowMs(p.Now);
        await CheckBacklogAsync(tx, p.Tasks, cancellationToken);
        await using var insert = SqliteRows.Command(tx, $"""
            INSERT INTO nexus_tasks (plugin, queue, priority, state, args, max_attempts, run_at, created_at, unique_key, tags, timeout_ms, retry, trace_context, owner)
            VALUES ($plugin, $queue, $priority, $state, $args, $max, $runAt, $now, $key, $tags, $timeout, $retry, $trace, $owner)
            ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING
            RETURNING id
            """);
        var pPlugin = insert.Add("$plugin", "");
        var pQueue = insert.Add("$queue", "");
        var pPriority = insert.Add("$priority", 0);
        var pState = insert.Add("$state", "");
        var pArgs = insert.Add("$args", "");
        var pMax = insert.Add("$max", 1);
        var pRunAt = insert.Add("$runAt", 0L);
        insert.Add("$now", now);
        var pKey = insert.Add("$key", null);
        var pTags = insert.Add("$tags", "[]");
        var pTimeout = insert.Add("$timeout", null);
        var pRetry = insert.Add("$retry", null);
        var pTrace = insert.Add("$trace", null);
        var pOwner = insert.Add("$owner", null);
        await insert.PrepareAsync(cancellationToken);
        // Unique keys are unique per queue (migration 6): a key of another queue is neither found nor in the way.
        await using var existing = SqliteRows.Command(tx, "SELECT id FROM nexus_tasks WHERE queue = $queue AND unique_key = $key");
        var eQueue = existing.Add("$queue", "");
        var eKey = existing.Add("$key", "");

        var results = new SubmitResult[p.Tasks.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var t = p.Tasks[i];
            var runAt = t.RunAt?.ToUnixTimeMilliseconds() ?? now + (long)TaskBounds.ClampDelay(t.Delay ?? TimeSpan.Zero).TotalMilliseconds;
            pPlugin.Value = t.Plugin;
            pQueue.Value = t.Queue;
            pPriority.Value = t.Priority;
            pState.Value = t.Waiting ? "waiting" : runAt > now ? "scheduled" : "available";
            pOwner.Value = (object?)t.Owner ?? DBNull.Value;
            pArgs.Value = t.ArgsJson;
            pMax.Value = t.MaxAttempts;
            pRunAt.Value = runAt;
            pKey.Value = (object?)t.UniqueKey ?? DBNull.Value;
            pTags.Value = StoredJson.Tags(t.Tags);
            pTimeout.Value = t.Timeout is { } timeout ? (long)TaskBounds.ClampTimeout(timeout).TotalMilliseconds : DBNull.Value;
            pRetry.Value = (object?)StoredJson.Retry(t.Retry) ?? DBNull.Value;
            pTrace.Value = (object?)t.TraceContext ?? DBNull.Value;
            var id = await insert.ExecuteScalarAsync(cancellationToken);
            if (id is not null)
            {
                results[i] = new SubmitResult(Convert.ToInt64(id, CultureInfo.InvariantCulture), true);
                continue;
            }
            eQueue.Value = t.Queue;
            eKey.Value = t.UniqueKey;
            results[i] = new SubmitResult(Convert.ToInt64(await existing.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture), false);
        }
        return results;
    }

    private static async Task CheckBacklogAsync(SqliteTransaction tx, IReadOnlyList<NewTask> tasks, CancellationToken cancellationToken)
    {
        var incoming = tasks.GroupBy(t => t.Queue, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        await using var command = SqliteRows.Command(tx, $"""
            SELECT q.name, q.max_backlog,
                   (SELECT count(*) FROM nexus_tasks t WHERE t.queue = q.name AND t.state IN {Ready})
            FROM nexus_queues q
            WHERE q.max_backlog IS NOT NULL AND q.name IN (SELECT value FROM json_each($queues))
            """);
        command.Add("$queues", JsonSerializer.Serialize(incoming.Keys));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var queue = reader.GetString(0);
            var max = reader.GetInt64(1);
            if (reader.GetInt64(2) + incoming[queue] > max) throw new QueueFullException(queue, max);
        }
    }

    public Task<IReadOnlyList<TaskRecord>> ClaimAsync(ClaimParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync<IReadOnlyList<TaskRecord>>(async tx =>
        {
            var now = store.NowMs(p.Now);
            var limits = await QueueLimitsAsync(tx, cancellationToken);
            var ids = new List<long>(p.Max);
            // Queues with a concurrency limit are claimed one by one, each up to its free slots; the rest in one ordered scan.
            var candidates = new List<(long Id, int Priority, long RunAt)>();
            foreach (var (queue, free) in limits.Free)
            {
                if (free <= 0 || (p.Queues is not null && !p.Queues.Contains(queue))) continue;
                candidates.AddRange(await CandidatesAsync(tx, now, (int)Math.Min(free, p.Max), [queue], p.Plugins, null, cancellationToken));
            }
            var excluded = limits.Paused.Concat(limits.Free.Keys).ToList();
            candidates.AddRange(await CandidatesAsync(tx, now, p.Max, p.Queues, p.Plugins, excluded, cancellationToken));
            ids.AddRange(candidates.OrderByDescending(c => c.Priority).ThenBy(c => c.RunAt).ThenBy(c => c.Id).Take(p.Max).Select(c => c.Id));
            if (ids.Count == 0) return [];

            await using var update = SqliteRows.Command(tx, $"""
                UPDATE nexus_tasks
                SET state = 'running', attempt = attempt + 1, attempted_at = $now, lease_token = $token,
                    lease_expires_at = $expires, leased_by = $node, progress = NULL
                WHERE id IN (SELECT value FROM json_each($ids))
                RETURNING {SqliteRows.Columns}
                """);
            update.Add("$now", now);
            update.Add("$token", Guid.NewGuid().ToString());
            update.Add("$expires", now + (long)p.LeaseDuration.TotalMilliseconds);
            update.Add("$node", p.NodeId);
            update.Add("$ids", JsonSerializer.Serialize(ids));
            var claimed = await SqliteRows.ReadAllAsync(update, cancellationToken);
            var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
            claimed.Sort((a, b) => order[a.Id].CompareTo(order[b.Id]));
            return claimed;
        }, cancellationToken);

    private static async Task<(List<string> Paused, Dictionary<string, long> Free)> QueueLimitsAsync(SqliteTransaction tx, CancellationToken cancellationToken)
    {
        var paused = new List<string>();
        var free = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var command = SqliteRows.Command(tx, """
            SELECT q.name, q.paused, q.max_concurrency,
                   (SELECT count(*) FROM nexus_tasks t WHERE t.state = 'running' AND t.queue = q.name AND q.max_concurrency IS NOT NULL)
            FROM nexus_queues q
            WHERE q.paused = 1 OR q.max_concurrency IS NOT NULL
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetInt64(1) != 0) paused.Add(reader.GetString(0));
            else free[reader.GetString(0)] = reader.GetInt64(2) - reader.GetInt64(3);
        }
        return (paused, free);
    }

    private static async Task<List<(long, int, long)>> CandidatesAsync(
        SqliteTransaction tx, long now, int max, IReadOnlyList<string>? queues, IReadOnlyList<string>? plugins,
        List<string>? excluded, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT id, priority, run_at FROM nexus_tasks
            WHERE state IN {Ready} AND run_at <= $now
              AND ($queues IS NULL OR queue IN (SELECT value FROM json_each($queues)))
              AND ($plugins IS NULL OR plugin IN (SELECT value FROM json_each($plugins)))
              AND ($excluded IS NULL OR queue NOT IN (SELECT value FROM json_each($excluded)))
            ORDER BY priority DESC, run_at, id
            LIMIT $max
            """;
        await using var command = SqliteRows.Command(tx, sql);
        command.Add("$now", now);
        command.Add("$queues", queues is null ? null : JsonSerializer.Serialize(queues));
        command.Add("$plugins", plugins is null ? null : JsonSerializer.Serialize(plugins));
        command.Add("$excluded", excluded is { Count: > 0 } ? JsonSerializer.Serialize(excluded) : null);
        command.Add("$max", max);
        var list = new List<(long, int, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2)));
        return list;
    }

    public Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync<IReadOnlyList<bool>>(async tx =>
        {
            var now = store.NowMs(p.Now);
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks
                SET state = $state,
                    result = CASE WHEN $state = 'succeeded' THEN $result ELSE result END,
                    run_at = CASE WHEN $requeue = 1 THEN $now + $delay ELSE run_at END,
                    finished_at = CASE WHEN $state IN ('succeeded','dead','cancelled') THEN $now ELSE NULL END,
                    attempt = attempt - $refund,
                    errors = CASE WHEN $error IS NULL THEN errors ELSE json_insert(errors, '$[#]', json($error)) END,
                    lease_token = NULL, lease_expires_at = NULL
                WHERE id = $id AND lease_token = $token AND state = 'running'
                """);
            var pState = update.Add("$state", "");
            var pResult = update.Add("$result", null);
            var pRequeue = update.Add("$requeue", 0);
            update.Add("$now", now);
            var pDelay = update.Add("$delay", 0L);
            var pRefund = update.Add("$refund", 0);
            var pError = update.Add("$error", null);
            var pId = update.Add("$id", 0L);
            var pToken = update.Add("$token", "");
            await update.PrepareAsync(cancellationToken);
            var accepted = new bool[p.Completions.Count];
            for (var i = 0; i < accepted.Length; i++)
            {
                var c = p.Completions[i];
                var (state, requeue, refund) = Transition(c.Kind);
                pState.Value = state;
                pResult.Value = (object?)c.ResultJson ?? DBNull.Value;
                pRequeue.Value = requeue ? 1 : 0;
                // A hand-back is due at once whatever delay it carries, as the transition table (and PostgreSQL) say.
                pDelay.Value = c.Kind == CompletionKind.Released ? 0L : (long)TaskBounds.ClampDelay(c.Delay).TotalMilliseconds;
                pRefund.Value = refund ? 1 : 0;
                pError.Value = c.Error is null ? DBNull.Value : StoredJson.Error(c.Error);
                pId.Value = c.Id;
                pToken.Value = c.LeaseToken.ToString();
                accepted[i] = await update.ExecuteNonQueryAsync(cancellationToken) == 1;
            }
            return accepted;
        }, cancellationToken);

    /// <summary>The state a completion leads to, whether it sets a new run time, and whether the attempt is refunded,
    /// as Core's one transition table says.</summary>
    internal static (string State, bool Requeue, bool Refund) Transition(CompletionKind kind)
    {
        var t = TaskTransitions.Of(kind);
        return (t.To.ToName(), t.Of(TaskColumn.RunAt) == ColumnChange.Set, t.Of(TaskColumn.Attempt) == ColumnChange.Refunded);
    }

    public Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync<IReadOnlyList<LeaseStatus>>(async tx =>
        {
            var now = store.NowMs(p.Now);
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks SET lease_expires_at = $expires
                WHERE id = $id AND lease_token = $token AND state = 'running'
                RETURNING cancel_requested
                """);
            update.Add("$expires", now + (long)p.LeaseDuration.TotalMilliseconds);
            var pId = update.Add("$id", 0L);
            var pToken = update.Add("$token", "");
            await update.PrepareAsync(cancellationToken);
            var statuses = new LeaseStatus[p.Leases.Count];
            for (var i = 0; i < statuses.Length; i++)
            {
                pId.Value = p.Leases[i].Id;
                pToken.Value = p.Leases[i].LeaseToken.ToString();
                var cancel = await update.ExecuteScalarAsync(cancellationToken);
                statuses[i] = new LeaseStatus(p.Leases[i].Id, cancel is not null, cancel is not null && Convert.ToInt64(cancel, CultureInfo.InvariantCulture) != 0);
            }
            return statuses;
        }, cancellationToken);

    public Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync(async tx =>
        {
            await using var update = SqliteRows.Command(tx, "UPDATE nexus_tasks SET progress = $progress WHERE id = $id AND lease_token = $token AND state = 'running'");
            update.Add("$progress", StoredJson.Progress(p.Progress));
            update.Add("$id", p.Id);
            update.Add("$token", p.LeaseToken.ToString());
            return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync(async tx =>
        {
            var now = store.NowMs(p.Now);
            var expired = new List<(long Id, int Attempt, int Max, string? Node)>();
            await using (var select = SqliteRows.Command(tx, """
                SELECT id, attempt, max_attempts, leased_by FROM nexus_tasks
                WHERE state = 'running' AND lease_expires_at < $now
                ORDER BY lease_expires_at LIMIT $max
                """))
            {
                select.Add("$now", now);
                select.Add("$max", p.Max);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    expired.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
            }
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks
                SET state = $state, run_at = CASE WHEN $state = 'dead' THEN run_at ELSE $now END,
                    finished_at = CASE WHEN $state = 'dead' THEN $now ELSE NULL END,
                    errors = json_insert(errors, '$[#]', json($error)), lease_token = NULL, lease_expires_at = NULL
                WHERE id = $id AND state = 'running'
                """);
            var pState = update.Add("$state", "");
            update.Add("$now", now);
            var pError = update.Add("$error", "");
            var pId = update.Add("$id", 0L);
            int requeued = 0, dead = 0;
            foreach (var (id, attempt, max, node) in expired)
            {
                var isDead = attempt >= max;
                pState.Value = isDead ? "dead" : "retrying";
                pError.Value = StoredJson.Error(StoredJson.LeaseExpired(attempt, SqliteRows.Time(now), node));
                pId.Value = id;
                await update.ExecuteNonQueryAsync(cancellationToken);
                if (isDead) dead++;
                else requeued++;
            }
            return new RescueResult(requeued, dead);
        }, cancellationToken);

    public Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default) => _queries.GetAsync(id, cancellationToken);

    public Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default) => _queries.ListAsync(query, cancellationToken);

    public Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken = default) => _queries.CountAsync(cancellationToken);

    public Task<CancelOutcome> CancelAsync(TaskActionParams p, CancellationToken cancellationToken = default) => _queries.CancelAsync(p, cancellationToken);

    public Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken = default) => _queries.RetryAsync(p, cancellationToken);

    public Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken = default) => _queries.DeleteAsync(p, cancellationToken);

    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) => _bulk.RetryManyAsync(p, cancellationToken);

    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) => _bulk.DeleteManyAsync(p, cancellationToken);

    public Task<int> ReleaseAsync(ReleaseParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Ids.Count == 0) return Task.FromResult(0);
        if (p.Ids.Count > ReleaseParams.MaxIds) throw new ArgumentOutOfRangeException(nameof(p), p.Ids.Count, $"At most {ReleaseParams.MaxIds} ids per release.");
        return store.WriteAsync(async tx =>
        {
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks SET state = 'available', run_at = $now
                WHERE id IN (SELECT value FROM json_each($ids)) AND state = 'waiting'
                """);
            update.Add("$now", store.NowMs(p.Now));
            update.Add("$ids", JsonSerializer.Serialize(p.Ids));
            return await update.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }
}
