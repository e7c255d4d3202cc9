using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>The log's daily partitions (<c>events_pYYYYMMDD</c>, UTC days): made ahead (by the maintenance loop, and
/// on demand before an append whose day has none yet) and dropped whole by retention. Partition DDL runs on its own
/// connection under an advisory lock, so it never fails or blocks a caller's transaction.</summary>
internal sealed class PostgresEventPartitions(PostgresDatabase db)
{
    private const string Prefix = "events_p";
    private readonly ConcurrentDictionary<DateOnly, bool> _known = db.EventPartitionDays;
    private readonly long _lockKey = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes("nexus-event-partitions:" + db.Schema.Name)), 0);

    /// <summary>Makes sure the day of <paramref name="time"/> and the day after have partitions.</summary>
    public async Task EnsureAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(time.UtcDateTime);
        if (_known.ContainsKey(day) && _known.ContainsKey(day.AddDays(1))) return;
        await CreateAsync(day.AddDays(-1), 3, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the partitions of <paramref name="days"/> days from <paramref name="first"/> that are missing.</summary>
    public async Task<int> CreateAsync(DateOnly first, int days, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        var existing = await ListAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        var made = 0;
        for (var i = 0; i < days; i++)
        {
            var day = first.AddDays(i);
            if (!existing.Contains(day))
            {
                await using var create = new NpgsqlCommand(CreateSql(day), conn, tx);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                made++;
            }
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var day in existing) _known[day] = true;
        for (var i = 0; i < days; i++) _known[first.AddDays(i)] = true;
        return made;
    }

    /// <summary>Drops every partition whose whole day ended before <paramref name="cutoff"/>. Returns how many.</summary>
    public async Task<int> DropBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var lastWholeDay = DateOnly.FromDateTime(cutoff.UtcDateTime).AddDays(-1);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        var dropped = 0;
        foreach (var day in (await ListAsync(conn, tx, cancellationToken).ConfigureAwait(false)).Where(d => d <= lastWholeDay).Order())
        {
            // The horizon moves in the same transaction as the drop: a reader below it is told to resync.
            await using (var horizon = new NpgsqlCommand($"""
                insert into {db.Schema.Table("log_horizon")} as h (namespace, tx, position)
                select distinct on (namespace) namespace, tx_id::text::bigint, position from {db.Schema.Table(Name(day))}
                order by namespace, tx_id desc, position desc
                on conflict (namespace) do update set tx = excluded.tx, position = excluded.position
                where (h.tx, h.position) < (excluded.tx, excluded.position)
                """, conn, tx))
            {
                await horizon.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using var drop = new NpgsqlCommand($"drop table {db.Schema.Table(Name(day))}", conn, tx);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _known.TryRemove(day, out _);
            dropped++;
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return dropped;
    }

    /// <summary>The days that have a partition now.</summary>
    public async Task<IReadOnlyList<DateOnly>> ListAsync(CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await ListAsync(conn, null, cancellationToken).ConfigureAwait(false)).Order()];
    }

    private async Task LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var lockCmd = new NpgsqlCommand("select pg_advisory_xact_lock($1)", conn, tx);
        lockCmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _lockKey });
        await lockCmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<HashSet<DateOnly>> ListAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("""
            select c.relname from pg_inherits i
            join pg_class c on c.oid = i.inhrelid
            join pg_class p on p.oid = i.inhparent
            join pg_namespace n on n.oid = p.relnamespace
            where n.nspname = $1 and p.relname = 'events'
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.Name });
        var days = new HashSet<DateOnly>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(0);
            if (name.StartsWith(Prefix, StringComparison.Ordinal)
                && DateOnly.TryParseExact(name[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                days.Add(day);
            }
        }
        return days;
    }

    private static string Name(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    // Identifiers from a validated schema and a formatted date; bounds are literals of that date.
    private string CreateSql(DateOnly day) => string.Create(CultureInfo.InvariantCulture,
        $"create table {db.Schema.Table(Name(day))} partition of {db.Schema.Table("events")} for values from ('{day:yyyy-MM-dd} 00:00:00+00') to ('{day.AddDays(1):yyyy-MM-dd} 00:00:00+00')");
}
