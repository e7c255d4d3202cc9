using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Claims on SQLite: candidates by priority, run time and id, honouring paused queues and concurrency limits,
/// then one update that leases them.</summary>
internal sealed class SqliteTaskClaimer(SqliteSession session)
{
    private const string Ready = SqliteTaskStore.Ready;

    public Task<IReadOnlyList<TaskRecord>> ClaimAsync(ClaimParams p, CancellationToken cancellationToken) =>
        session.WriteAsync<IReadOnlyList<TaskRecord>>(async tx =>
        {
            var now = session.NowMs(p.Now);
            var limits = await QueueLimitsAsync(tx, cancellationToken);
            var ids = new List<long>(p.Max);
            // Queues with a concurrency limit are claimed one by one, each up to its free slots; the rest in one ordered scan.
            var candidates = new List<(long Id, int Priority, long RunAt, string Queue, string State)>();
            foreach (var (queue, free) in limits.Free)
            {
                if (free <= 0 || (p.Queues is not null && !p.Queues.Contains(queue))) continue;
                candidates.AddRange(await CandidatesAsync(tx, now, (int)Math.Min(free, p.Max), [queue], p.Plugins, null, cancellationToken));
            }
            var excluded = limits.Paused.Concat(limits.Free.Keys).ToList();
            candidates.AddRange(await CandidatesAsync(tx, now, p.Max, p.Queues, p.Plugins, excluded, cancellationToken));
            var chosen = candidates.OrderByDescending(c => c.Priority).ThenBy(c => c.RunAt).ThenBy(c => c.Id).Take(p.Max).ToList();
            ids.AddRange(chosen.Select(c => c.Id));
            if (ids.Count == 0) return [];
            var counts = new SqliteTaskCounts();
            foreach (var c in chosen) counts.Move(c.Queue, c.State, "running");

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
            await counts.ApplyAsync(tx, cancellationToken);
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

    private static async Task<List<(long, int, long, string, string)>> CandidatesAsync(
        SqliteTransaction tx, long now, int max, IReadOnlyList<string>? queues, IReadOnlyList<string>? plugins,
        List<string>? excluded, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT id, priority, run_at, queue, state FROM nexus_tasks
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
        var list = new List<(long, int, long, string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4)));
        return list;
    }
}
