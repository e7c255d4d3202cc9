using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Storage.Postgres;

/// <summary>Nodes in the schema's <c>nodes</c> table; running counts come from the running rows of <c>tasks</c>.
/// Times are the database's clock unless the params carry one.</summary>
internal sealed class PostgresNodeStore : INodeStore
{
    private readonly PostgresDatabase db;
    private readonly string upsertSql;
    private readonly string touchSql;
    private readonly string listSql;
    private readonly string removeSql;
    private readonly string pruneSql;

    public PostgresNodeStore(PostgresDatabase db)
    {
        this.db = db;
        var nodes = db.Schema.Table("nodes");
        var tasks = db.Schema.Table("tasks");
        upsertSql = $"""
            insert into {nodes} (id, kind, host, pid, concurrency, queues, plugins, started_at, last_seen_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now()))
            on conflict (id) do update set kind = excluded.kind, host = excluded.host, pid = excluded.pid,
                concurrency = excluded.concurrency, queues = excluded.queues, plugins = excluded.plugins,
                started_at = excluded.started_at, last_seen_at = excluded.last_seen_at
            """;
        touchSql = $"update {nodes} set last_seen_at = greatest(last_seen_at, coalesce($2::timestamptz, now())) where id = $1";
        listSql = $"""
            select n.id, n.kind, n.host, n.pid, n.concurrency, n.queues::text, n.plugins::text, n.started_at, n.last_seen_at,
                   coalesce(r.running, 0)::int, n.last_seen_at < coalesce($2::timestamptz, now()) - $3
            from {nodes} n
            -- A running row always has a lease expiry; saying so lets the partial lease index (running rows only) serve
            -- the count instead of a scan of every finished task.
            left join (select leased_by, count(*) as running from {tasks} where state = 'running' and lease_expires_at is not null group by leased_by) r
                on r.leased_by = n.id
            where $1::text is null or n.id = $1
            order by n.id
            """;
        removeSql = $"delete from {nodes} where id = $1";
        pruneSql = $"delete from {nodes} where last_seen_at < coalesce($1::timestamptz, now()) - $2";
    }

    public async Task UpsertAsync(NodeHeartbeat node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(upsertSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Id });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Kind });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = node.Host });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)node.Pid ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = node.Concurrency });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(node.Queues), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(node.Plugins), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = node.StartedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(TaskLeases.NowParameter(node.Now));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TouchAsync(NodeRefParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(touchSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Id });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<NodeInfo>> ListAsync(ListNodesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(listSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = p.StaleAfter, NpgsqlDbType = NpgsqlDbType.Interval });
        var list = new List<NodeInfo>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new NodeInfo
            {
                Id = reader.GetString(0),
                Kind = reader.GetString(1),
                Host = reader.GetString(2),
                Pid = reader.IsDBNull(3) ? null : reader.GetInt32(3),
                Concurrency = reader.GetInt32(4),
                Queues = StoredJson.Tags(reader.GetString(5)),
                Plugins = StoredJson.Tags(reader.GetString(6)),
                StartedAt = reader.GetFieldValue<DateTimeOffset>(7),
                LastSeenAt = reader.GetFieldValue<DateTimeOffset>(8),
                Running = reader.GetInt32(9),
                Stale = reader.GetBoolean(10),
            });
        }
        return list;
    }

    public async Task<bool> RemoveAsync(NodeRefParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(removeSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Id });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> PruneAsync(PruneNodesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(pruneSql, conn);
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = p.UnseenFor, NpgsqlDbType = NpgsqlDbType.Interval });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
