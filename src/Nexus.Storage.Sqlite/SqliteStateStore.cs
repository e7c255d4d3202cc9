using Microsoft.Data.Sqlite;
using Nexus.Events;
using Nexus.State;

namespace Nexus.Storage.Sqlite;

/// <summary>The state store on SQLite: each write one write of the writer (or of the open unit of work); keys compare
/// by code point (SQLite's BINARY collation over UTF-8), so a prefix is one index range.</summary>
internal sealed class SqliteStateStore(SqliteSession session) : IStateStore
{
    private const string Columns = "namespace, key, value, version, created_at, updated_at, expires_at";

    public Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken = default) =>
        session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {Columns} FROM nexus_state WHERE namespace = $ns AND key = $key AND value IS NOT NULL AND (expires_at IS NULL OR expires_at > $now)";
            command.Add("$ns", @namespace);
            command.Add("$key", key);
            command.Add("$now", session.NowMs(null));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }, cancellationToken);

    public Task<StateWriteResult?> SetLiveLoggedAsync(SetStateParams p, NewEvent change, CancellationToken cancellationToken = default)
    {
        StateStoreRules.ValidateLiveLogged(p, change);
        // One write of the single writer: the check, the write and the append commit together.
        return session.WriteAsync<StateWriteResult?>(async tx =>
        {
            var unit = session.Join(tx);
            // The log needs the namespace; without it nothing is written (the caller's general path creates it).
            if (await unit.Events.GetNamespaceAsync(p.Namespace, cancellationToken) is null) return null;
            // With an expected version of 1 or more the set writes only a live key at that version.
            var written = await unit.State.SetAsync(p, cancellationToken);
            if (!written.Written) return null;
            await unit.Events.AppendAsync(new AppendEventsParams(p.Namespace, [change]) { Now = p.Now }, cancellationToken);
            return written;
        }, cancellationToken);
    }

    public Task<StateWriteResult> SetAsync(SetStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.WriteAsync(async tx =>
        {
            var now = session.NowMs(p.Now);
            var row = await CurrentAsync(tx, p.Namespace, p.Key, now, cancellationToken);
            var current = row is { Live: true } ? row.Version : 0;
            if (p.ExpectedVersion is { } expected && expected != current) return new StateWriteResult(false, null, current);
            var last = row?.Version ?? 0;
            if (row is { Live: false, Expired: true })
            {
                last++;
                await HistoryAsync(tx, p.Namespace, p.Key, last, "expire", null, row.ExpiresAt!.Value, cancellationToken);
            }
            var version = last + 1;
            var created = row is { Live: true } ? row.CreatedAt : now;
            long? expires = p.Ttl is { } ttl ? now + (long)ttl.TotalMilliseconds : null;
            await using (var upsert = SqliteRows.Command(tx, """
                INSERT INTO nexus_state (namespace, key, value, version, created_at, updated_at, expires_at)
                VALUES ($ns, $key, $value, $version, $created, $now, $expires)
                ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, version = excluded.version,
                    created_at = excluded.created_at, updated_at = excluded.updated_at, expires_at = excluded.expires_at
                """))
            {
                upsert.Add("$ns", p.Namespace);
                upsert.Add("$key", p.Key);
                upsert.Add("$value", p.ValueJson);
                upsert.Add("$version", version);
                upsert.Add("$created", created);
                upsert.Add("$now", now);
                upsert.Add("$expires", expires);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            await HistoryAsync(tx, p.Namespace, p.Key, version, "set", p.ValueJson, now, cancellationToken);
            await TrimAsync(tx, p.Namespace, p.Key, version, p.HistoryLimit, cancellationToken);
            var entry = new StateEntry(p.Namespace, p.Key, p.ValueJson, version, SqliteRows.Time(created), SqliteRows.Time(now), expires is null ? null : SqliteRows.Time(expires.Value));
            return new StateWriteResult(true, entry, version) { Created = row is not { Live: true } };
        }, cancellationToken);
    }

    public Task<StateWriteResult> DeleteAsync(DeleteStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.WriteAsync(async tx =>
        {
            var now = session.NowMs(p.Now);
            var row = await CurrentAsync(tx, p.Namespace, p.Key, now, cancellationToken);
            if (row is not { Live: true }) return new StateWriteResult(false, null, 0);
            if (p.ExpectedVersion is { } expected && expected != row.Version) return new StateWriteResult(false, null, row.Version);
            var version = row.Version + 1;
            await TombstoneAsync(tx, p.Namespace, p.Key, version, now, cancellationToken);
            await HistoryAsync(tx, p.Namespace, p.Key, version, "delete", null, now, cancellationToken);
            await TrimAsync(tx, p.Namespace, p.Key, version, p.HistoryLimit, cancellationToken);
            return new StateWriteResult(true, null, version);
        }, cancellationToken);
    }

    public Task<StatePage> ListAsync(ListStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var limit = Math.Clamp(p.Limit, 1, 1000);
        var end = StatePrefix.End(p.Prefix);
        return session.ReadAsync(async command =>
        {
            command.CommandText = $"""
                SELECT {Columns} FROM nexus_state
                WHERE namespace = $ns AND key >= $prefix AND ($end IS NULL OR key < $end) AND ($after IS NULL OR key > $after)
                  AND value IS NOT NULL AND (expires_at IS NULL OR expires_at > $now)
                ORDER BY key LIMIT $limit
                """;
            command.Add("$ns", p.Namespace);
            command.Add("$prefix", p.Prefix);
            command.Add("$end", end);
            command.Add("$after", p.After);
            command.Add("$now", session.NowMs(p.Now));
            command.Add("$limit", limit);
            var items = new List<StateEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) items.Add(Read(reader));
            return new StatePage(items, items.Count == limit ? items[^1].Key : null);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StateVersion>> HistoryAsync(StateHistoryParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.ReadAsync<IReadOnlyList<StateVersion>>(async command =>
        {
            command.CommandText = """
                SELECT version, op, value, at FROM nexus_state_history
                WHERE namespace = $ns AND key = $key AND ($before IS NULL OR version < $before)
                ORDER BY version DESC LIMIT $limit
                """;
            command.Add("$ns", p.Namespace);
            command.Add("$key", p.Key);
            command.Add("$before", p.Before);
            command.Add("$limit", Math.Clamp(p.Limit, 1, 1000));
            var versions = new List<StateVersion>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions.Add(new StateVersion(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), SqliteRows.Time(reader.GetInt64(3))));
            }
            return versions;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StateExpiry>> ExpireAsync(ExpireStateParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.WriteAsync<IReadOnlyList<StateExpiry>>(async tx =>
        {
            var now = session.NowMs(p.Now);
            var due = new List<(string Ns, string Key, long Version, long At)>();
            await using (var select = SqliteRows.Command(tx, """
                SELECT namespace, key, version, expires_at FROM nexus_state
                WHERE expires_at IS NOT NULL AND expires_at <= $now AND value IS NOT NULL
                ORDER BY expires_at LIMIT $max
                """))
            {
                select.Add("$now", now);
                select.Add("$max", p.Max);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) due.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
            }
            var expired = new List<StateExpiry>(due.Count);
            foreach (var (ns, key, version, at) in due)
            {
                await TombstoneAsync(tx, ns, key, version + 1, at, cancellationToken);
                await HistoryAsync(tx, ns, key, version + 1, "expire", null, at, cancellationToken);
                await TrimAsync(tx, ns, key, version + 1, p.HistoryLimit, cancellationToken);
                expired.Add(new StateExpiry(ns, key, version + 1));
            }
            return expired;
        }, cancellationToken);
    }

    private static async Task<Row?> CurrentAsync(SqliteTransaction tx, string ns, string key, long now, CancellationToken cancellationToken)
    {
        await using var select = SqliteRows.Command(tx, "SELECT value IS NOT NULL, version, created_at, expires_at FROM nexus_state WHERE namespace = $ns AND key = $key");
        select.Add("$ns", ns);
        select.Add("$key", key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var hasValue = reader.GetInt64(0) != 0;
        long? expires = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        var expired = hasValue && expires <= now;
        return new Row(hasValue && !expired, expired, reader.GetInt64(1), reader.GetInt64(2), expires);
    }

    private static async Task TombstoneAsync(SqliteTransaction tx, string ns, string key, long version, long now, CancellationToken cancellationToken)
    {
        await using var update = SqliteRows.Command(tx, "UPDATE nexus_state SET value = NULL, version = $version, updated_at = $now, expires_at = NULL WHERE namespace = $ns AND key = $key");
        update.Add("$ns", ns);
        update.Add("$key", key);
        update.Add("$version", version);
        update.Add("$now", now);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task HistoryAsync(SqliteTransaction tx, string ns, string key, long version, string op, string? value, long at, CancellationToken cancellationToken)
    {
        await using var insert = SqliteRows.Command(tx, "INSERT INTO nexus_state_history (namespace, key, version, op, value, at) VALUES ($ns, $key, $version, $op, $value, $at)");
        insert.Add("$ns", ns);
        insert.Add("$key", key);
        insert.Add("$version", version);
        insert.Add("$op", op);
        insert.Add("$value", value);
        insert.Add("$at", at);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task TrimAsync(SqliteTransaction tx, string ns, string key, long version, int keep, CancellationToken cancellationToken)
    {
        await using var delete = SqliteRows.Command(tx, "DELETE FROM nexus_state_history WHERE namespace = $ns AND key = $key AND version <= $oldest");
        delete.Add("$ns", ns);
        delete.Add("$key", key);
        delete.Add("$oldest", version - Math.Max(1, keep));
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static StateEntry Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), SqliteRows.Time(r.GetInt64(4)), SqliteRows.Time(r.GetInt64(5)),
        r.IsDBNull(6) ? null : SqliteRows.Time(r.GetInt64(6)));

    private sealed record Row(bool Live, bool Expired, long Version, long CreatedAt, long? ExpiresAt);
}
