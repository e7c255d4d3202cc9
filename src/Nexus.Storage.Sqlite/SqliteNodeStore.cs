using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>Nodes in <c>nexus_nodes</c>; running counts come from the running rows of <c>nexus_tasks</c>.</summary>
internal sealed class SqliteNodeStore(SqliteStore store) : INodeStore
{
    public Task UpsertAsync(NodeHeartbeat node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, """
                INSERT INTO nexus_nodes (id, kind, host, pid, concurrency, queues, plugins, started_at, last_seen_at)
                VALUES ($id, $kind, $host, $pid, $concurrency, $queues, $plugins, $started, $now)
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, host = excluded.host, pid = excluded.pid,
                    concurrency = excluded.concurrency, queues = excluded.queues, plugins = excluded.plugins,
                    started_at = excluded.started_at, last_seen_at = excluded.last_seen_at
                """);
            command.Add("$id", node.Id);
            command.Add("$kind", node.Kind);
            command.Add("$host", node.Host);
            command.Add("$pid", node.Pid);
            command.Add("$concurrency", node.Concurrency);
            command.Add("$queues", JsonSerializer.Serialize(node.Queues));
            command.Add("$plugins", JsonSerializer.Serialize(node.Plugins));
            command.Add("$started", node.StartedAt.ToUnixTimeMilliseconds());
            command.Add("$now", store.NowMs(node.Now));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<bool> TouchAsync(NodeRefParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "UPDATE nexus_nodes SET last_seen_at = max(last_seen_at, $now) WHERE id = $id");
            command.Add("$id", p.Id);
            command.Add("$now", store.NowMs(p.Now));
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<NodeInfo>> ListAsync(ListNodesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT n.id, n.kind, n.host, n.pid, n.concurrency, n.queues, n.plugins, n.started_at, n.last_seen_at,
                   coalesce(r.running, 0), n.last_seen_at < $staleBefore
            FROM nexus_nodes n
            LEFT JOIN (SELECT leased_by, count(*) AS running FROM nexus_tasks WHERE state = 'running' GROUP BY leased_by) r
                ON r.leased_by = n.id
            WHERE $id IS NULL OR n.id = $id
            ORDER BY n.id
            """;
        command.Add("$id", p.Id);
        command.Add("$staleBefore", store.NowMs(p.Now) - (long)p.StaleAfter.TotalMilliseconds);
        var list = new List<NodeInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(Read(reader));
        return list;
    }

    public Task<bool> RemoveAsync(NodeRefParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "DELETE FROM nexus_nodes WHERE id = $id");
            command.Add("$id", p.Id);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
    }

    public Task<int> PruneAsync(PruneNodesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "DELETE FROM nexus_nodes WHERE last_seen_at < $before");
            command.Add("$before", store.NowMs(p.Now) - (long)p.UnseenFor.TotalMilliseconds);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    private static NodeInfo Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Kind = r.GetString(1),
        Host = r.GetString(2),
        Pid = r.IsDBNull(3) ? null : r.GetInt32(3),
        Concurrency = r.GetInt32(4),
        Queues = StoredJson.Tags(r.GetString(5)),
        Plugins = StoredJson.Tags(r.GetString(6)),
        StartedAt = SqliteRows.Time(r.GetInt64(7)),
        LastSeenAt = SqliteRows.Time(r.GetInt64(8)),
        Running = r.GetInt32(9),
        Stale = r.GetInt64(10) != 0,
    };
}
