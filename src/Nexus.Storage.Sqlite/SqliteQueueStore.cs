using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

internal sealed class SqliteQueueStore(SqliteStore store) : IQueueStore
{
    public async Task<IReadOnlyList<QueueInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Queues seen in tasks come from a skip scan of the (queue, state, finished_at) index: one probe per distinct
        // queue instead of reading every task (as PostgreSQL's list does).
        command.CommandText = """
            WITH RECURSIVE seen(name) AS (
                SELECT min(queue) FROM nexus_tasks
                UNION ALL
                SELECT (SELECT min(t.queue) FROM nexus_tasks t WHERE t.queue > s.name) FROM seen s WHERE s.name IS NOT NULL
            )
            SELECT n.name, coalesce(q.paused, 0), q.max_concurrency, q.max_backlog
            FROM (SELECT name FROM nexus_queues UNION SELECT name FROM seen WHERE name IS NOT NULL) n
            LEFT JOIN nexus_queues q ON q.name = n.name
            ORDER BY n.name
            """;
        var list = new List<QueueInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new QueueInfo(reader.GetString(0), reader.GetInt64(1) != 0,
                reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt64(3)));
        }
        return list;
    }

    public async Task<QueueInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        QueueName.Validate(name);
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT paused, max_concurrency, max_backlog FROM nexus_queues WHERE name = $name";
        command.Add("$name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new QueueInfo(name, reader.GetInt64(0) != 0, reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt64(2))
            : new QueueInfo(name, false, null, null);
    }

    public Task SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        QueueName.Validate(name);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, """
                INSERT INTO nexus_queues (name, paused) VALUES ($name, $paused)
                ON CONFLICT (name) DO UPDATE SET paused = excluded.paused
                """);
            command.Add("$name", name);
            command.Add("$paused", paused ? 1 : 0);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task ConfigureAsync(string name, int? maxConcurrency, long? maxBacklog, CancellationToken cancellationToken = default)
    {
        QueueName.Validate(name);
        if (maxConcurrency < 0) throw new TaskValidationException("maxConcurrency", "must not be negative");
        if (maxBacklog < 0) throw new TaskValidationException("maxBacklog", "must not be negative");
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, """
                INSERT INTO nexus_queues (name, max_concurrency, max_backlog) VALUES ($name, $concurrency, $backlog)
                ON CONFLICT (name) DO UPDATE SET max_concurrency = excluded.max_concurrency, max_backlog = excluded.max_backlog
                """);
            command.Add("$name", name);
            command.Add("$concurrency", maxConcurrency);
            command.Add("$backlog", maxBacklog);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }
}

internal sealed class SqliteLeaderStore(SqliteStore store) : ILeaderStore
{
    public Task<bool> TryAcquireAsync(LeaderParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync(async tx =>
        {
            var now = store.NowMs(p.Now);
            await using var command = SqliteRows.Command(tx, """
                INSERT INTO nexus_leaders (name, node_id, expires_at) VALUES ($name, $node, $expires)
                ON CONFLICT (name) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at
                WHERE nexus_leaders.node_id = excluded.node_id OR nexus_leaders.expires_at < $now
                """);
            command.Add("$name", p.Name);
            command.Add("$node", p.NodeId);
            command.Add("$expires", now + (long)p.Ttl.TotalMilliseconds);
            command.Add("$now", now);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task ResignAsync(LeaderParams p, CancellationToken cancellationToken = default) =>
        store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "DELETE FROM nexus_leaders WHERE name = $name AND node_id = $node");
            command.Add("$name", p.Name);
            command.Add("$node", p.NodeId);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
