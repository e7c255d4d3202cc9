using Nexus.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Storage.Postgres;

/// <summary>Declared external plugins in the schema's <c>external_plugins</c> table.</summary>
internal sealed class PostgresExternalPluginStore : IExternalPluginStore
{
    private readonly PostgresDatabase db;
    private readonly string declareSql;
    private readonly string listSql;

    public PostgresExternalPluginStore(PostgresDatabase db)
    {
        this.db = db;
        var table = db.Schema.Table("external_plugins");
        declareSql = $"""
            insert into {table} (name, description, version, queue, args_schema, max_attempts, timeout_ms, declared_by, declared_at)
            select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::int[], $7::bigint[], $8::text[]) as d,
                 (select coalesce($9::timestamptz, now())) as k
            on conflict (name) do update set description = excluded.description, version = excluded.version,
                queue = excluded.queue, args_schema = excluded.args_schema, max_attempts = excluded.max_attempts,
                timeout_ms = excluded.timeout_ms, declared_by = excluded.declared_by, declared_at = excluded.declared_at
            """;
        listSql = $"select name, description, version, queue, args_schema::text, max_attempts, timeout_ms, declared_by, declared_at from {table} order by name";
    }

    public async Task DeclareAsync(DeclarePluginsParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var list = p.Plugins;
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(declareSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(x => x.Name)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(x => x.Description)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(x => x.Version)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(x => x.Queue)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(x => x.ArgsSchemaJson)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. list.Select(x => x.MaxAttempts)] });
        cmd.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = [.. list.Select(x => x.Timeout is { } t ? (long?)t.TotalMilliseconds : null)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. list.Select(x => x.DeclaredBy)] });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ExternalPlugin>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(listSql, conn);
        var list = new List<ExternalPlugin>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ExternalPlugin
            {
                Name = r.GetString(0),
                Description = r.GetString(1),
                Version = r.GetString(2),
                Queue = r.GetString(3),
                ArgsSchemaJson = r.GetString(4),
                MaxAttempts = r.IsDBNull(5) ? null : r.GetInt32(5),
                Timeout = r.IsDBNull(6) ? null : TaskBounds.TimeoutFromMilliseconds(r.GetInt64(6)),
                DeclaredBy = r.GetString(7),
                DeclaredAt = r.GetFieldValue<DateTimeOffset>(8),
            });
        }
        return list;
    }
}
