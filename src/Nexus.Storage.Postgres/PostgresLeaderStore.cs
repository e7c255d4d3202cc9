using Npgsql;
using NpgsqlTypes;

namespace Nexus.Storage.Postgres;

/// <summary>Leader election by lease rows: a node takes a name when it is free, expired, or already its own.</summary>
internal sealed class PostgresLeaderStore : ILeaderStore
{
    private readonly PostgresDatabase db;
    private readonly string acquireSql;
    private readonly string resignSql;

    public PostgresLeaderStore(PostgresDatabase db)
    {
        this.db = db;
        var leaders = db.Schema.Table("leaders");
        acquireSql = $"""
            with clock as (select coalesce($3::timestamptz, now()) as now)
            insert into {leaders} as l (name, node_id, expires_at)
            select $1, $2, k.now + $4 from clock k
            on conflict (name) do update
                set node_id = excluded.node_id, expires_at = excluded.expires_at
                where l.node_id = excluded.node_id or l.expires_at <= coalesce($3::timestamptz, now())
            returning node_id
            """;
        resignSql = $"delete from {leaders} where name = $1 and node_id = $2";
    }

    public async Task<bool> TryAcquireAsync(LeaderParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentException.ThrowIfNullOrEmpty(p.Name);
        ArgumentException.ThrowIfNullOrEmpty(p.NodeId);
        if (p.Ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(p), p.Ttl, "Ttl must be positive.");

        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(acquireSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Name });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.NodeId });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = p.Ttl, NpgsqlDbType = NpgsqlDbType.Interval });
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public async Task ResignAsync(LeaderParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(resignSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Name });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.NodeId });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
