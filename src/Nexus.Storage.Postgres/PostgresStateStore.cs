using Npgsql;
using NpgsqlTypes;
using Nexus.Events;
using Nexus.State;

namespace Nexus.Storage.Postgres;

/// <summary>The state store on PostgreSQL. A write to a live key at the expected version is one statement (row, history
/// version and trim). Any other write locks its key's row (<c>for update</c>; a new key first inserts a tombstone to
/// lock), decides against the expected version, then writes the row, its history version and the trim in one batch.
/// Both run inside the caller's unit of work when there is one.</summary>
internal sealed class PostgresStateStore : IStateStore
{
    private const string Columns = "namespace, key, value, version, created_at, updated_at, expires_at";
    private readonly PostgresDatabase db;
    private readonly string state;
    private readonly string history;
    private readonly string lockSql;
    private readonly string placeholderSql;
    private readonly string setLiveSql;

    private readonly string setLiveLoggedSql;
    private readonly Func<PostgresEventStore> events;

    public PostgresStateStore(PostgresDatabase db, Func<PostgresEventStore> events)
    {
        this.db = db;
        this.events = events;
        state = db.Schema.Table("state");
        history = db.Schema.Table("state_history");
        lockSql = $"""
            select value is not null, version, created_at, expires_at, coalesce($3::timestamptz, now())
            from {state} where namespace = $1 and key = $2
            for update
            """;
        setLiveSql = LiveWriteSql("", "", "select version, created_at, updated_at, expires_at from written");
        // The same write, and the change appended to the log by the statement's own insert (so in its implicit
        // transaction: one round trip and one commit, where a unit of work takes three round trips). A namespace that
        // does not exist writes nothing (the log needs it; the caller's general path creates it).
        setLiveLoggedSql = LiveWriteSql(
            $"and exists (select from {db.Schema.Table("namespaces")} where name = $1)",
            $"""
            , logged as (
                insert into {db.Schema.Table("events")} (position, namespace, topic, priority, event_key, headers, payload, time, trace_context)
                select nextval('{db.Schema.Table("events_position_seq")}'), $1, $9, $10, $11, $12::jsonb, $13::jsonb, coalesce($5::timestamptz, now()), $14
                from written
                returning position)
            """,
            "select version, created_at, updated_at, expires_at, (select position from logged) from written");
        placeholderSql = $"""
            insert into {state} (namespace, key, value, version, created_at, updated_at)
            values ($1, $2, null, 0, now(), now()) on conflict do nothing
            """;
    }

    public async Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"select {Columns} from {state} where namespace = $1 and key = $2 and value is not null and (expires_at is null or expires_at > now())", lease.Connection);
        cmd.Parameters.Add(Text(@namespace));
        cmd.Parameters.Add(Text(key));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<StateWriteResult> SetAsync(SetStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        // The common write (a live key, the expected version if one is given) is one statement: on its own, atomic
        // without a transaction of ours; inside the caller's unit of work, one more statement of it.
        if (await SetLiveAsync(lease.Connection, lease.Joined?.Transaction, p, cancellationToken).ConfigureAwait(false) is { } written) return written;
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        var row = await LockAsync(lease.Connection, p.Namespace, p.Key, p.Now, cancellationToken).ConfigureAwait(false);
        var current = row.Live ? row.Version : 0;
        if (p.ExpectedVersion is { } expected && expected != current) return new StateWriteResult(false, null, current);

        var last = row.Version;
        await using var batch = new NpgsqlBatch(lease.Connection);
        if (row is { Live: false, Expired: true })
        {
            last++;
            batch.BatchCommands.Add(History(p.Namespace, p.Key, last, "expire", null, row.ExpiresAt!.Value));
        }
        var version = last + 1;
        var created = row.Live ? row.CreatedAt : row.Now;
        DateTimeOffset? expires = p.Ttl is { } ttl ? row.Now + ttl : null;
        var update = new NpgsqlBatchCommand($"update {state} set value = $3, version = $4, created_at = $5, updated_at = $6, expires_at = $7 where namespace = $1 and key = $2");
        update.Parameters.Add(Text(p.Namespace));
        update.Parameters.Add(Text(p.Key));
        update.Parameters.Add(Text(p.ValueJson));
        update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
        update.Parameters.Add(Time(created));
        update.Parameters.Add(Time(row.Now));
        update.Parameters.Add(Time(expires));
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(History(p.Namespace, p.Key, version, "set", p.ValueJson, row.Now));
        batch.BatchCommands.Add(Trim(p.Namespace, p.Key, version, p.HistoryLimit));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new StateWriteResult(true, new StateEntry(p.Namespace, p.Key, p.ValueJson, version, created, row.Now, expires), version) { Created = !row.Live };
    }

    /// <summary>The write of a live key at the expected version as one statement: the row, its history version and the
    /// trim, plus <paramref name="condition"/> on the row's update, <paramref name="ctes"/> after them and
    /// <paramref name="select"/> as the answer.</summary>
    private string LiveWriteSql(string condition, string ctes, string select) => $"""
        with written as (
            update {state} set value = $3, version = version + 1, updated_at = coalesce($5::timestamptz, now()),
                expires_at = coalesce($6::timestamptz, coalesce($5::timestamptz, now()) + $7::interval)
            where namespace = $1 and key = $2 and value is not null
              and (expires_at is null or expires_at > coalesce($5::timestamptz, now()))
              and ($4::bigint is null or version = $4) {condition}
            returning version, created_at, updated_at, expires_at),
        kept as (
            insert into {history} (namespace, key, version, op, value, at)
            select $1, $2, version, 'set', $3, updated_at from written),
        trimmed as (
            delete from {history} where namespace = $1 and key = $2 and version <= (select version from written) - $8)
        {ctes}
        {select}
        """;

    public async Task<StateWriteResult?> SetLiveLoggedAsync(SetStateParams p, NewEvent change, CancellationToken cancellationToken = default)
    {
        StateStoreRules.ValidateLiveLogged(p, change);
        var log = events();
        await log.Partitions.EnsureAsync(p.Now ?? TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var joined = lease.Joined;
        await using var cmd = new NpgsqlCommand(setLiveLoggedSql, lease.Connection, joined?.Transaction);
        cmd.Parameters.Add(Text(p.Namespace));
        cmd.Parameters.Add(Text(p.Key));
        cmd.Parameters.Add(Text(p.ValueJson));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.ExpectedVersion!.Value });
        cmd.Parameters.Add(Time(p.Now));
        cmd.Parameters.Add(Time(null));
        cmd.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(1, p.HistoryLimit) });
        cmd.Parameters.Add(Text(change.Topic));
        cmd.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)change.Priority });
        cmd.Parameters.Add(Text(change.Key));
        cmd.Parameters.Add(Text(EventJson.Headers(change.Headers)));
        cmd.Parameters.Add(Text(change.PayloadJson));
        cmd.Parameters.Add(Text(change.TraceContext));
        StateWriteResult? written = null;
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var version = reader.GetInt64(0);
                var entry = new StateEntry(p.Namespace, p.Key, p.ValueJson, version, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), null);
                written = new StateWriteResult(true, entry, version) { Created = false };
            }
        }
        if (written is null) return null;
        // The wake-up of other nodes' readers, as an append's: after Nexus's commit, coalesced; inside a caller's own
        // transaction, at its commit.
        if (joined is null) log.SignalAppended();
        else if (joined.CommittedByNexus) joined.EventsAppended = true;
        else await log.NotifyInsideAsync(lease.Connection, joined.Transaction, cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <summary>Writes a key that holds a live (unexpired) value and, when <see cref="SetStateParams.ExpectedVersion"/>
    /// is given, is at that version: the row, its history version and the trim in one statement. Null when it did not
    /// apply (a new, deleted or expired key, or another version): the locking path decides and answers those. Under a
    /// concurrent write the update waits for the row and re-checks the version on the row that committed.</summary>
    private async Task<StateWriteResult?> SetLiveAsync(NpgsqlConnection conn, NpgsqlTransaction? joined, SetStateParams p, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(setLiveSql, conn, joined);
        cmd.Parameters.Add(Text(p.Namespace));
        cmd.Parameters.Add(Text(p.Key));
        cmd.Parameters.Add(Text(p.ValueJson));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.ExpectedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(Time(p.Now));
        // With a given clock the expiry is computed here, as the locking path does; else from the database's now().
        cmd.Parameters.Add(Time(p.Ttl is { } ttl && p.Now is { } now ? now + ttl : null));
        cmd.Parameters.Add(new NpgsqlParameter { Value = p.Ttl is { } t && p.Now is null ? t : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Interval });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(1, p.HistoryLimit) });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var version = reader.GetInt64(0);
        DateTimeOffset? expires = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
        var entry = new StateEntry(p.Namespace, p.Key, p.ValueJson, version, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), expires);
        return new StateWriteResult(true, entry, version) { Created = false };
    }

    public async Task<StateWriteResult> DeleteAsync(DeleteStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        var row = await LockAsync(lease.Connection, p.Namespace, p.Key, p.Now, cancellationToken, create: false).ConfigureAwait(false);
        if (!row.Live) return new StateWriteResult(false, null, 0);
        if (p.ExpectedVersion is { } expected && expected != row.Version) return new StateWriteResult(false, null, row.Version);
        var version = row.Version + 1;
        await using var batch = new NpgsqlBatch(lease.Connection);
        batch.BatchCommands.Add(Tombstone(p.Namespace, p.Key, version, row.Now));
        batch.BatchCommands.Add(History(p.Namespace, p.Key, version, "delete", null, row.Now));
        batch.BatchCommands.Add(Trim(p.Namespace, p.Key, version, p.HistoryLimit));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new StateWriteResult(true, null, version);
    }

    public async Task<StatePage> ListAsync(ListStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var limit = Math.Clamp(p.Limit, 1, 1000);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            select {Columns} from {state}
            where namespace = $1 and key >= $2 and ($3::text is null or key < $3) and ($4::text is null or key > $4)
              and value is not null and (expires_at is null or expires_at > coalesce($5::timestamptz, now()))
            order by key limit $6
            """, lease.Connection);
        cmd.Parameters.Add(Text(p.Namespace));
        cmd.Parameters.Add(Text(p.Prefix));
        cmd.Parameters.Add(Text(StatePrefix.End(p.Prefix)));
        cmd.Parameters.Add(Text(p.After));
        cmd.Parameters.Add(Time(p.Now));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var items = new List<StateEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) items.Add(Read(reader));
        return new StatePage(items, items.Count == limit ? items[^1].Key : null);
    }

    public async Task<IReadOnlyList<StateVersion>> HistoryAsync(StateHistoryParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            select version, op, value, at from {history}
            where namespace = $1 and key = $2 and ($3::bigint is null or version < $3)
            order by version desc limit $4
            """, lease.Connection);
        cmd.Parameters.Add(Text(p.Namespace));
        cmd.Parameters.Add(Text(p.Key));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.Before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Clamp(p.Limit, 1, 1000) });
        var versions = new List<StateVersion>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new StateVersion(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return versions;
    }

    public async Task<IReadOnlyList<StateExpiry>> ExpireAsync(ExpireStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<(string Ns, string Key, long Version, DateTimeOffset At)>();
        await using (var select = new NpgsqlCommand($"""
            select namespace, key, version, expires_at from {state}
            where expires_at is not null and expires_at <= coalesce($1::timestamptz, now()) and value is not null
            order by expires_at limit $2
            for update skip locked
            """, lease.Connection))
        {
            select.Parameters.Add(Time(p.Now));
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Max });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                due.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3)));
            }
        }
        if (due.Count == 0) return [];
        await using var batch = new NpgsqlBatch(lease.Connection);
        foreach (var (ns, key, version, at) in due)
        {
            batch.BatchCommands.Add(Tombstone(ns, key, version + 1, at));
            batch.BatchCommands.Add(History(ns, key, version + 1, "expire", null, at));
            batch.BatchCommands.Add(Trim(ns, key, version + 1, p.HistoryLimit));
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. due.Select(d => new StateExpiry(d.Ns, d.Key, d.Version + 1))];
    }

    /// <summary>Locks the key's row; a key never written gets a tombstone (version 0) first so there is a row to lock.</summary>
    private async Task<Row> LockAsync(NpgsqlConnection conn, string ns, string key, DateTimeOffset? now, CancellationToken cancellationToken, bool create = true)
    {
        for (var pass = 0; ; pass++)
        {
            await using (var select = new NpgsqlCommand(lockSql, conn))
            {
                select.Parameters.Add(Text(ns));
                select.Parameters.Add(Text(key));
                select.Parameters.Add(Time(now));
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var at = reader.GetFieldValue<DateTimeOffset>(4);
                    var hasValue = reader.GetBoolean(0);
                    DateTimeOffset? expires = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
                    var expired = hasValue && expires <= at;
                    return new Row(hasValue && !expired, expired, reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2), expires, at);
                }
                if (!create) return new Row(false, false, 0, default, null, default);
                if (pass > 0) throw new InvalidOperationException($"The state row of '{key}' vanished while being written.");
            }
            await using var insert = new NpgsqlCommand(placeholderSql, conn);
            insert.Parameters.Add(Text(ns));
            insert.Parameters.Add(Text(key));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private NpgsqlBatchCommand Tombstone(string ns, string key, long version, DateTimeOffset at)
    {
        var cmd = new NpgsqlBatchCommand($"update {state} set value = null, version = $3, updated_at = $4, expires_at = null where namespace = $1 and key = $2");
        cmd.Parameters.Add(Text(ns));
        cmd.Parameters.Add(Text(key));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
        cmd.Parameters.Add(Time(at));
        return cmd;
    }

    private NpgsqlBatchCommand History(string ns, string key, long version, string op, string? value, DateTimeOffset at)
    {
        var cmd = new NpgsqlBatchCommand($"insert into {history} (namespace, key, version, op, value, at) values ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.Add(Text(ns));
        cmd.Parameters.Add(Text(key));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
        cmd.Parameters.Add(Text(op));
        cmd.Parameters.Add(Text(value));
        cmd.Parameters.Add(Time(at));
        return cmd;
    }

    private NpgsqlBatchCommand Trim(string ns, string key, long version, int keep)
    {
        var cmd = new NpgsqlBatchCommand($"delete from {history} where namespace = $1 and key = $2 and version <= $3");
        cmd.Parameters.Add(Text(ns));
        cmd.Parameters.Add(Text(key));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version - Math.Max(1, keep) });
        return cmd;
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) => new() { Value = (object?)value?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static StateEntry Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));

    private sealed record Row(bool Live, bool Expired, long Version, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset Now);
}
