using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Services;

namespace Nexus.Storage.Sqlite;

/// <summary>Service instances in <c>nexus_services</c> (primary key service name and instance id).</summary>
internal sealed class SqliteServiceStore(SqliteSession session) : IServiceStore
{
    private const string Columns = "name, id, version, base_url, capabilities, metadata, health_path, check_mode, ttl_ms, check_interval_ms, " +
        "passes_to_healthy, failures_to_critical, deregister_after_ms, status, passes, failures, critical_since, last_check_at, last_seen_at, last_error, registered_at";

    public Task<ServiceInstance> UpsertAsync(ServiceRegistration r, ServiceCheckMode mode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        return session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                INSERT INTO nexus_services (name, id, version, base_url, capabilities, metadata, health_path, check_mode, ttl_ms, check_interval_ms,
                    passes_to_healthy, failures_to_critical, deregister_after_ms, status, last_seen_at, registered_at)
                VALUES ($name, $id, $version, $url, $caps, $meta, $path, $mode, $ttl, $interval, $passes, $failures, $deregister, 'starting', $now, $now)
                ON CONFLICT (name, id) DO UPDATE SET version = excluded.version, base_url = excluded.base_url, capabilities = excluded.capabilities,
                    metadata = excluded.metadata, health_path = excluded.health_path, check_mode = excluded.check_mode, ttl_ms = excluded.ttl_ms,
                    check_interval_ms = excluded.check_interval_ms, passes_to_healthy = excluded.passes_to_healthy,
                    failures_to_critical = excluded.failures_to_critical, deregister_after_ms = excluded.deregister_after_ms, last_seen_at = excluded.last_seen_at
                RETURNING {Columns}
                """);
            command.Add("$name", r.Name);
            command.Add("$id", r.Id);
            command.Add("$version", r.Version);
            command.Add("$url", r.BaseUrl.AbsoluteUri);
            command.Add("$caps", JsonSerializer.Serialize(r.Capabilities));
            command.Add("$meta", JsonSerializer.Serialize(r.Metadata));
            command.Add("$path", r.HealthCheckPath);
            command.Add("$mode", mode.Name());
            command.Add("$ttl", (long)r.Ttl.TotalMilliseconds);
            command.Add("$interval", (long)r.CheckInterval.TotalMilliseconds);
            command.Add("$passes", r.PassesToHealthy);
            command.Add("$failures", r.FailuresToCritical);
            command.Add("$deregister", (long)r.DeregisterAfter.TotalMilliseconds);
            command.Add("$now", now.ToUnixTimeMilliseconds());
            return (await ReadAllAsync(command, cancellationToken))[0];
        }, cancellationToken);
    }

    public Task<ServiceInstance?> GetAsync(string name, string id, CancellationToken cancellationToken = default) =>
        session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {Columns} FROM nexus_services WHERE name = $name AND id = $id";
            command.Add("$name", name);
            command.Add("$id", id);
            return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<ServiceInstance>> ListAsync(string? name = null, CancellationToken cancellationToken = default) =>
        session.ReadAsync<IReadOnlyList<ServiceInstance>>(async command =>
        {
            command.CommandText = $"SELECT {Columns} FROM nexus_services WHERE $name IS NULL OR name = $name ORDER BY name, id";
            command.Add("$name", name);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<bool> RecordAsync(ServiceCheckRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, """
                UPDATE nexus_services SET status = $status, passes = $passes, failures = $failures, critical_since = $since,
                    last_check_at = CASE WHEN $seen = 1 THEN last_check_at ELSE $at END, last_error = $error,
                    last_seen_at = CASE WHEN $seen = 1 THEN $at ELSE last_seen_at END
                WHERE name = $name AND id = $id
                """);
            command.Add("$name", record.Name);
            command.Add("$id", record.Id);
            command.Add("$status", record.State.Health.Name());
            command.Add("$passes", record.State.Passes);
            command.Add("$failures", record.State.Failures);
            command.Add("$since", record.State.CriticalSince?.ToUnixTimeMilliseconds());
            command.Add("$at", record.CheckedAt.ToUnixTimeMilliseconds());
            command.Add("$error", record.Error);
            command.Add("$seen", record.Seen ? 1 : 0);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
    }

    public Task<bool> DeregisterAsync(string name, string id, CancellationToken cancellationToken = default) =>
        session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "DELETE FROM nexus_services WHERE name = $name AND id = $id");
            command.Add("$name", name);
            command.Add("$id", id);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<IReadOnlyList<ServiceInstance>> DeregisterCriticalAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        session.WriteAsync<IReadOnlyList<ServiceInstance>>(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                DELETE FROM nexus_services WHERE status = 'critical' AND critical_since IS NOT NULL AND critical_since + deregister_after_ms <= $now
                RETURNING {Columns}
                """);
            command.Add("$now", now.ToUnixTimeMilliseconds());
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);

    private static async Task<List<ServiceInstance>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<ServiceInstance>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ServiceInstance
            {
                Name = r.GetString(0),
                Id = r.GetString(1),
                Version = r.GetString(2),
                BaseUrl = r.GetString(3),
                Capabilities = StoredJson.Tags(r.GetString(4)),
                Metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5)) ?? [],
                HealthCheckPath = r.IsDBNull(6) ? null : r.GetString(6),
                CheckMode = ServiceNames.ParseMode(r.GetString(7)) ?? ServiceCheckMode.Ttl,
                Ttl = TimeSpan.FromMilliseconds(r.GetInt64(8)),
                CheckInterval = TimeSpan.FromMilliseconds(r.GetInt64(9)),
                PassesToHealthy = r.GetInt32(10),
                FailuresToCritical = r.GetInt32(11),
                DeregisterAfter = TimeSpan.FromMilliseconds(r.GetInt64(12)),
                Health = ServiceNames.ParseHealth(r.GetString(13)) ?? ServiceHealth.Starting,
                Passes = r.GetInt32(14),
                Failures = r.GetInt32(15),
                CriticalSince = r.IsDBNull(16) ? null : SqliteRows.Time(r.GetInt64(16)),
                LastCheckAt = r.IsDBNull(17) ? null : SqliteRows.Time(r.GetInt64(17)),
                LastSeenAt = SqliteRows.Time(r.GetInt64(18)),
                LastError = r.IsDBNull(19) ? null : r.GetString(19),
                RegisteredAt = SqliteRows.Time(r.GetInt64(20)),
            });
        }
        return list;
    }
}
