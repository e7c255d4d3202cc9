using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Nexus.Services;

namespace Nexus.Storage.Postgres;

/// <summary>Service instances in the schema's <c>services</c> table (primary key service name and instance id).</summary>
internal sealed class PostgresServiceStore : IServiceStore
{
    private const string Columns = "name, id, version, base_url, capabilities::text, metadata::text, health_path, check_mode, ttl, check_interval, " +
        "passes_to_healthy, failures_to_critical, deregister_after, status, passes, failures, critical_since, last_check_at, last_seen_at, last_error, registered_at";

    private readonly PostgresDatabase db;
    private readonly string upsertSql, getSql, listSql, recordSql, deleteSql, deregisterSql;

    public PostgresServiceStore(PostgresDatabase db)
    {
        this.db = db;
        var services = db.Schema.Table("services");
        upsertSql = $"""
            insert into {services} (name, id, version, base_url, capabilities, metadata, health_path, check_mode, ttl, check_interval,
                passes_to_healthy, failures_to_critical, deregister_after, status, last_seen_at, registered_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'starting', $14, $14)
            on conflict (name, id) do update set version = excluded.version, base_url = excluded.base_url, capabilities = excluded.capabilities,
                metadata = excluded.metadata, health_path = excluded.health_path, check_mode = excluded.check_mode, ttl = excluded.ttl,
                check_interval = excluded.check_interval, passes_to_healthy = excluded.passes_to_healthy,
                failures_to_critical = excluded.failures_to_critical, deregister_after = excluded.deregister_after, last_seen_at = excluded.last_seen_at
            returning {Columns}
            """;
        getSql = $"select {Columns} from {services} where name = $1 and id = $2";
        listSql = $"select {Columns} from {services} where $1::text is null or name = $1 order by name, id";
        recordSql = $"""
            update {services} set status = $3, passes = $4, failures = $5, critical_since = $6,
                last_check_at = case when $9 then last_check_at else $7 end, last_error = $8,
                last_seen_at = case when $9 then $7 else last_seen_at end
            where name = $1 and id = $2
            """;
        deleteSql = $"delete from {services} where name = $1 and id = $2";
        deregisterSql = $"delete from {services} where status = 'critical' and critical_since is not null and critical_since + deregister_after <= $1 returning {Columns}";
    }

    public async Task<ServiceInstance> UpsertAsync(ServiceRegistration r, ServiceCheckMode mode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(r);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(upsertSql, lease.Connection);
        cmd.Parameters.Add(Text(r.Name));
        cmd.Parameters.Add(Text(r.Id));
        cmd.Parameters.Add(Text(r.Version));
        cmd.Parameters.Add(Text(r.BaseUrl.AbsoluteUri));
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(r.Capabilities), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(r.Metadata), NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(Text(r.HealthCheckPath));
        cmd.Parameters.Add(Text(mode.Name()));
        cmd.Parameters.Add(Interval(r.Ttl));
        cmd.Parameters.Add(Interval(r.CheckInterval));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.PassesToHealthy });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.FailuresToCritical });
        cmd.Parameters.Add(Interval(r.DeregisterAfter));
        cmd.Parameters.Add(Time(now));
        return (await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<ServiceInstance?> GetAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(getSql, lease.Connection);
        cmd.Parameters.Add(Text(name));
        cmd.Parameters.Add(Text(id));
        return (await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ServiceInstance>> ListAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(listSql, lease.Connection);
        cmd.Parameters.Add(Text(name));
        return await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RecordAsync(ServiceCheckRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(recordSql, lease.Connection);
        cmd.Parameters.Add(Text(record.Name));
        cmd.Parameters.Add(Text(record.Id));
        cmd.Parameters.Add(Text(record.State.Health.Name()));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = record.State.Passes });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = record.State.Failures });
        cmd.Parameters.Add(Time(record.State.CriticalSince));
        cmd.Parameters.Add(Time(record.CheckedAt));
        cmd.Parameters.Add(Text(record.Error));
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = record.Seen });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> DeregisterAsync(string name, string id, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(deleteSql, lease.Connection);
        cmd.Parameters.Add(Text(name));
        cmd.Parameters.Add(Text(id));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<ServiceInstance>> DeregisterCriticalAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(deregisterSql, lease.Connection);
        cmd.Parameters.Add(Time(now));
        return await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) => new() { Value = (object?)value?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static NpgsqlParameter<TimeSpan> Interval(TimeSpan value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Interval };

    private static DateTimeOffset At(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static async Task<List<ServiceInstance>> ReadAllAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<ServiceInstance>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
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
                Ttl = r.GetFieldValue<TimeSpan>(8),
                CheckInterval = r.GetFieldValue<TimeSpan>(9),
                PassesToHealthy = r.GetInt32(10),
                FailuresToCritical = r.GetInt32(11),
                DeregisterAfter = r.GetFieldValue<TimeSpan>(12),
                Health = ServiceNames.ParseHealth(r.GetString(13)) ?? ServiceHealth.Starting,
                Passes = r.GetInt32(14),
                Failures = r.GetInt32(15),
                CriticalSince = r.IsDBNull(16) ? null : At(r.GetDateTime(16)),
                LastCheckAt = r.IsDBNull(17) ? null : At(r.GetDateTime(17)),
                LastSeenAt = At(r.GetDateTime(18)),
                LastError = r.IsDBNull(19) ? null : r.GetString(19),
                RegisteredAt = At(r.GetDateTime(20)),
            });
        }
        return list;
    }
}
