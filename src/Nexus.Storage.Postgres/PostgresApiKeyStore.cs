using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Storage.Postgres;

/// <summary>API keys in the schema's <c>api_keys</c> table.</summary>
internal sealed class PostgresApiKeyStore : IApiKeyStore
{
    private const string Columns = "id, name, secret_hash, role, queues::text, created_at, expires_at, revoked_at, created_by, namespaces::text";
    private readonly PostgresDatabase db;
    private readonly string createSql;
    private readonly string getSql;
    private readonly string listSql;
    private readonly string revokeSql;

    public PostgresApiKeyStore(PostgresDatabase db)
    {
        this.db = db;
        var keys = db.Schema.Table("api_keys");
        createSql = $"""
            insert into {keys} (id, name, secret_hash, role, queues, created_at, expires_at, created_by, namespaces)
            values ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7, $8, $9)
            returning {Columns}
            """;
        getSql = $"select {Columns} from {keys} where id = $1";
        listSql = $"select {Columns} from {keys} order by created_at, id";
        revokeSql = $"update {keys} set revoked_at = coalesce($2::timestamptz, now()) where id = $1 and revoked_at is null";
    }

    public async Task<ApiKeyRecord> CreateAsync(NewApiKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(createSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Id });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Name });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.SecretHash });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Role });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(key.Queues), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(TaskLeases.NowParameter(key.Now));
        cmd.Parameters.Add(Time(key.ExpiresAt));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)key.CreatedBy ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(key.Namespaces), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return Read(reader);
    }

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(getSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(listSql, conn);
        var list = new List<ApiKeyRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader));
        return list;
    }

    public async Task<bool> RevokeAsync(RevokeApiKeyParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(revokeSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Id });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.UtcDateTime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static ApiKeyRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        SecretHash = r.GetString(2),
        Role = r.GetString(3),
        Queues = StoredJson.Tags(r.GetString(4)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(5),
        ExpiresAt = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        RevokedAt = r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
        CreatedBy = r.IsDBNull(8) ? null : r.GetString(8),
        Namespaces = StoredJson.Tags(r.GetString(9)),
    };
}
