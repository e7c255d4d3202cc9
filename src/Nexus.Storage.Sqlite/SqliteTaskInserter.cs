using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Task inserts on SQLite: one prepared statement reused per row, unique keys per queue, backlog limits.</summary>
internal sealed class SqliteTaskInserter(SqliteSession session)
{
    private const string Ready = SqliteTaskStore.Ready;

    public Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken) =>
        session.WriteAsync<IReadOnlyList<SubmitResult>>(async tx =>
        {
            var now = session.NowMs(p.Now);
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
            var counts = new SqliteTaskCounts();
            for (var i = 0; i < results.Length; i++)
            {
                var t = p.Tasks[i];
                var runAt = t.RunAt?.ToUnixTimeMilliseconds() ?? now + (long)TaskBounds.ClampDelay(t.Delay ?? TimeSpan.Zero).TotalMilliseconds;
                pPlugin.Value = t.Plugin;
                pQueue.Value = t.Queue;
                pPriority.Value = t.Priority;
                var state = t.Waiting ? "waiting" : runAt > now ? "scheduled" : "available";
                pState.Value = state;
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
                    counts.Add(t.Queue, state);
                    continue;
                }
                eQueue.Value = t.Queue;
                eKey.Value = t.UniqueKey;
                results[i] = new SubmitResult(Convert.ToInt64(await existing.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture), false);
            }
            await counts.ApplyAsync(tx, cancellationToken);
            return results;
        }, cancellationToken);

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
}
