using System.Text;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Bulk operator actions (retry or delete many tasks matching a filter): one statement each, oldest first.
/// Retried owned tasks go to the store's hooks; owned tasks are never bulk-deleted (they go with their owner).</summary>
internal sealed class SqliteBulkActions(SqliteSession session)
{
    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        return session.WriteAsync(async tx =>
        {
            const string retryable = "state IN ('dead','cancelled')";
            // The rows' states before the update (RETURNING sees only new values), read with the same filter in the
            // write's transaction: the same rows, as nothing else writes in between.
            var counts = new SqliteTaskCounts();
            await using (var before = Command(tx, p.Filter, retryable, p.Max,
                where => $"SELECT queue, state, count(*) FROM nexus_tasks WHERE id IN (SELECT id FROM nexus_tasks {where}) GROUP BY queue, state"))
            await using (var reader = await before.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) counts.Move(reader.GetString(0), reader.GetString(1), "available", reader.GetInt64(2));
            }
            await using var command = Command(tx, p.Filter, retryable, p.Max, where => $"""
                UPDATE nexus_tasks
                SET state = 'available', run_at = $now, finished_at = NULL, cancel_requested = 0,
                    max_attempts = max(max_attempts, attempt + 1)
                WHERE id IN (SELECT id FROM nexus_tasks {where})
                RETURNING id, owner, plugin, queue, attempt
                """);
            command.Add("$now", session.NowMs(p.Now));
            var retried = 0;
            var owned = new List<OwnedTaskChange>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    retried++;
                    if (reader.IsDBNull(1)) continue;
                    owned.Add(new OwnedTaskChange(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), TaskState.Available, reader.GetInt32(4), null, null));
                }
            }
            await counts.ApplyAsync(tx, cancellationToken);
            await session.Store.Hooks.RunAsync(session.Join(tx), owned, cancellationToken);
            return retried;
        }, cancellationToken);
    }

    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        return session.WriteAsync(async tx =>
        {
            // Tasks a workflow run owns go with their run; a delivery's key link (DeliveryOwner) owns nothing.
            await using var command = Command(tx, p.Filter, "state <> 'running' AND (owner IS NULL OR owner LIKE 'event:%')", p.Max,
                where => $"DELETE FROM nexus_tasks WHERE id IN (SELECT id FROM nexus_tasks {where}) RETURNING queue, state");
            return await DeletedAsync(tx, command, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Retention's delete, queue by queue on the (queue, state, finished_at) index: the queues come from a
    /// skip scan of that index (one descent per queue), and each delete reads only the rows it removes.</summary>
    public Task<int> DeleteExpiredAsync(ExpiredTasksParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        return session.WriteAsync(async tx =>
        {
            var queues = new List<string>();
            await using (var list = SqliteRows.Command(tx, """
                WITH RECURSIVE q(queue) AS (
                    SELECT min(queue) FROM nexus_tasks
                    UNION ALL
                    SELECT (SELECT min(t.queue) FROM nexus_tasks t WHERE t.queue > q.queue) FROM q WHERE q.queue IS NOT NULL
                )
                SELECT queue FROM q WHERE queue IS NOT NULL
                """))
            await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) queues.Add(reader.GetString(0));
            }
            var deleted = 0;
            foreach (var queue in queues)
            {
                if (deleted >= p.Max) break;
                await using var command = SqliteRows.Command(tx, """
                    DELETE FROM nexus_tasks WHERE id IN (
                        SELECT id FROM nexus_tasks INDEXED BY nexus_tasks_queue_state_finished
                        WHERE queue = $queue AND state = $state AND finished_at < $before
                          AND (owner IS NULL OR owner LIKE 'event:%')
                        ORDER BY finished_at LIMIT $max)
                    RETURNING queue, state
                    """);
                command.Add("$queue", queue);
                command.Add("$state", p.State.ToName());
                command.Add("$before", p.FinishedBefore.ToUnixTimeMilliseconds());
                command.Add("$max", p.Max - deleted);
                deleted += await DeletedAsync(tx, command, cancellationToken);
            }
            return deleted;
        }, cancellationToken);
    }

    /// <summary>Runs a delete that returns each row's queue and state, takes the rows out of the counts, and returns
    /// how many it deleted.</summary>
    private static async Task<int> DeletedAsync(SqliteTransaction tx, SqliteCommand delete, CancellationToken cancellationToken)
    {
        var counts = new SqliteTaskCounts();
        var deleted = 0;
        await using (var reader = await delete.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                counts.Add(reader.GetString(0), reader.GetString(1), -1);
                deleted++;
            }
        }
        await counts.ApplyAsync(tx, cancellationToken);
        return deleted;
    }

    /// <summary>Builds the statement around a WHERE clause made of constant fragments; every value is a parameter.</summary>
    private static SqliteCommand Command(SqliteTransaction tx, TaskFilter f, string stateRule, int max, Func<string, string> statement)
    {
        var where = new StringBuilder("WHERE ").Append(stateRule);
        var parameters = new List<(string Name, object Value)>();
        SqliteTaskFilter.Append(where, f, parameters);
        where.Append(" ORDER BY id LIMIT $max");
        var command = SqliteRows.Command(tx, statement(where.ToString()));
        foreach (var (name, value) in parameters) command.Add(name, value);
        command.Add("$max", max);
        return command;
    }
}
