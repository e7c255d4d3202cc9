using Nexus.Tasks;
namespace Nexus.Storage.Sqlite;

/// <summary>Declared external plugins in <c>nexus_external_plugins</c>.</summary>
internal sealed class SqliteExternalPluginStore(SqliteStore store) : IExternalPluginStore
{
    public Task DeclareAsync(DeclarePluginsParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return store.WriteAsync(async tx =>
        {
            foreach (var plugin in p.Plugins)
            {
                await using var command = SqliteRows.Command(tx, """
                    INSERT INTO nexus_external_plugins (name, description, version, queue, args_schema, max_attempts, timeout_ms, declared_by, declared_at)
                    VALUES ($name, $description, $version, $queue, $schema, $attempts, $timeout, $by, $now)
                    ON CONFLICT (name) DO UPDATE SET description = excluded.description, version = excluded.version,
                        queue = excluded.queue, args_schema = excluded.args_schema, max_attempts = excluded.max_attempts,
                        timeout_ms = excluded.timeout_ms, declared_by = excluded.declared_by, declared_at = excluded.declared_at
                    """);
                command.Add("$name", plugin.Name);
                command.Add("$description", plugin.Description);
                command.Add("$version", plugin.Version);
                command.Add("$queue", plugin.Queue);
                command.Add("$schema", plugin.ArgsSchemaJson);
                command.Add("$attempts", plugin.MaxAttempts);
                command.Add("$timeout", plugin.Timeout is { } t ? (long)t.TotalMilliseconds : null);
                command.Add("$by", plugin.DeclaredBy);
                command.Add("$now", store.NowMs(p.Now));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return p.Plugins.Count;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<ExternalPlugin>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, description, version, queue, args_schema, max_attempts, timeout_ms, declared_by, declared_at FROM nexus_external_plugins ORDER BY name";
        var list = new List<ExternalPlugin>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
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
                DeclaredAt = SqliteRows.Time(r.GetInt64(8)),
            });
        }
        return list;
    }
}
