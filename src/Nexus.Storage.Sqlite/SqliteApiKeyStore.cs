using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>API keys in <c>nexus_api_keys</c>. Reads use pooled connections; writes go through the writer.</summary>
internal sealed class SqliteApiKeyStore(SqliteStore store) : IApiKeyStore
{
    private const string Columns = "id, name, secret_hash, role, queues, created_at, expires_at, revoked_at, created_by, namespaces";

    public Task<ApiKeyRecord> CreateAsync(NewApiKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                INSERT INTO nexus_api_keys (id, name, secret_hash, role, queues, created_at, expires_at, created_by, namespaces)
                VALUES ($id, $name, $hash, $role, $queues, $now, $expires, $by, $namespaces)
                RETURNING {Columns}
                """);
            command.Add("$id", key.Id);
            command.Add("$name", key.Name);
            command.Add("$hash", key.SecretHash);
            command.Add("$role", key.Role);
            command.Add("$queues", JsonSerializer.Serialize(key.Queues));
            command.Add("$now", store.NowMs(key.Now));
            command.Add("$expires", key.ExpiresAt?.ToUnixTimeMilliseconds());
            command.Add("$by", key.CreatedBy);
            command.Add("$namespaces", JsonSerializer.Serialize(key.Namespaces));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return Read(reader);
        }, cancellationToken);
    }

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM nexus_api_keys WHERE id = $id";
        command.Add("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM nexus_api_keys ORDER BY created_at, id";
        var list = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(Read(reader));
        return list;
    }

    public Task<bool> RevokeAsync(RevokeApiKeyParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return store.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "UPDATE nexus_api_keys SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL");
            command.Add("$id", p.Id);
            command.Add("$now", store.NowMs(p.Now));
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
    }

    private static ApiKeyRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        SecretHash = r.GetString(2),
        Role = r.GetString(3),
        Queues = StoredJson.Tags(r.GetString(4)),
        CreatedAt = SqliteRows.Time(r.GetInt64(5)),
        ExpiresAt = r.IsDBNull(6) ? null : SqliteRows.Time(r.GetInt64(6)),
        RevokedAt = r.IsDBNull(7) ? null : SqliteRows.Time(r.GetInt64(7)),
        CreatedBy = r.IsDBNull(8) ? null : r.GetString(8),
        Namespaces = StoredJson.Tags(r.GetString(9)),
    };
}
