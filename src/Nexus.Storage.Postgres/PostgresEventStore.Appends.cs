using Npgsql;
using NpgsqlTypes;
using Nexus.Events;

namespace Nexus.Storage.Postgres;

/// <summary>Appends to the log: one statement for events without idempotency keys; positions reserved, keys claimed and
/// rows inserted for the rest; the wake-up NOTIFY after the commit, or inside a caller's own transaction.</summary>
internal sealed partial class PostgresEventStore
{
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(AppendEventsParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Events.Count == 0) return [];
        await Partitions.EnsureAsync(p.Now ?? TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        if (lease.Joined is null && p.Events.All(e => e.IdempotencyKey is null))
        {
            // Without keys the append is one statement: its own implicit transaction, one round trip with the commit.
            var appended = await AppendUnkeyedAsync(lease.Connection, null, p, notifyInTransaction: false, cancellationToken).ConfigureAwait(false);
            notifier.Post(EventsWakePayload);
            return appended;
        }
        await using var own = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        // NOTIFY inside a transaction serializes every notifying commit of the cluster (a global lock through the WAL
        // flush); after a commit of ours one coalesced NOTIFY covers every append that committed meanwhile. Only a
        // transaction Nexus does not commit (the caller's own, joined) carries its NOTIFY inside.
        var joined = lease.Joined;
        var notifyInside = joined is { CommittedByNexus: false };
        var results = await AppendInAsync(lease.Connection, joined?.Transaction ?? own.Transaction!, p, notifyInTransaction: notifyInside, cancellationToken).ConfigureAwait(false);
        await own.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (joined is null) notifier.Post(EventsWakePayload);
        else if (!notifyInside) joined.EventsAppended = true;
        return results;
    }

    /// <summary>Asks for the wake-up NOTIFY of appends whose transaction has just committed (not waited for).</summary>
    internal void SignalAppended() => notifier.Post(EventsWakePayload);

    /// <summary>The log's wake-up NOTIFY inside a caller's own transaction (delivered at its commit).</summary>
    internal async Task NotifyInsideAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var notify = new NpgsqlCommand("select pg_notify($1, $2)", conn, tx);
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.NotifyChannel });
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EventsWakePayload });
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends inside the caller's transaction: the events exist exactly when it commits.</summary>
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(NpgsqlTransaction transaction, AppendEventsParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(p);
        var conn = transaction.Connection ?? throw new InvalidOperationException("The transaction is already completed; emit inside an open transaction.");
        if (p.Events.Count == 0) return [];
        await Partitions.EnsureAsync(p.Now ?? TimeProvider.System.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return await AppendInAsync(conn, transaction, p, notifyInTransaction: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<AppendResult>> AppendInAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, AppendEventsParams p, bool notifyInTransaction, CancellationToken cancellationToken)
    {
        var n = p.Events.Count;
        if (p.Events.All(e => e.IdempotencyKey is null)) return await AppendUnkeyedAsync(conn, tx, p, notifyInTransaction, cancellationToken).ConfigureAwait(false);
        var positions = new long[n];
        await using (var reserve = new NpgsqlCommand($"""
            select (select count(*) from {namespaces} where name = $1), array(select nextval('{sequence}') from generate_series(1, $2) g order by g)
            """, conn, tx))
        {
            reserve.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
            reserve.Parameters.Add(new NpgsqlParameter<int> { TypedValue = n });
            await using var reader = await reserve.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) == 0) throw EventJson.NamespaceNotFound(p.Namespace);
            positions = reader.GetFieldValue<long[]>(1);
        }
        var results = new AppendResult[n];
        var keep = new bool[n];
        Array.Fill(keep, true);
        var keyed = Enumerable.Range(0, n).Where(i => p.Events[i].IdempotencyKey is not null).ToList();
        if (keyed.Count > 0)
        {
            // A key taken by a concurrent transaction blocks here until it commits (then it is found) or rolls back.
            await using var claim = new NpgsqlCommand($"""
                with wanted as (select * from unnest($2::text[], $3::bigint[]) as w(k, p)),
                made as (
                    insert into {keys} (namespace, idempotency_key, position, created_at)
                    select $1, k, p, coalesce($4::timestamptz, now()) from wanted
                    on conflict (namespace, idempotency_key) do nothing
                    returning idempotency_key, position
                )
                select w.k, coalesce(m.position, e.position), m.position is not null
                from wanted w left join made m on m.idempotency_key = w.k
                left join {keys} e on m.position is null and e.namespace = $1 and e.idempotency_key = w.k
                """, conn, tx);
            claim.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
            claim.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keyed.Select(i => p.Events[i].IdempotencyKey!)] });
            claim.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. keyed.Select(i => positions[i])] });
            claim.Parameters.Add(TaskLeases.NowParameter(p.Now));
            var byKey = new Dictionary<string, (long Position, bool Created)>(StringComparer.Ordinal);
            await using (var reader = await claim.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    byKey.TryAdd(reader.GetString(0), (reader.GetInt64(1), reader.GetBoolean(2)));
                }
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var i in keyed)
            {
                var key = p.Events[i].IdempotencyKey!;
                var (position, created) = byKey[key];
                // The same key twice in one call: the first one is appended, the rest return its position.
                var first = seen.Add(key) && created && position == positions[i];
                keep[i] = first;
                results[i] = new AppendResult(position, first);
            }
        }
        var rows = Enumerable.Range(0, n).Where(i => keep[i]).ToList();
        if (rows.Count > 0)
        {
            await using var insert = new NpgsqlCommand($"""
                insert into {events} (position, namespace, topic, priority, event_key, headers, payload, time, trace_context, idempotency_key)
                select pos, $1, topic, prio, k, h::jsonb, pl::jsonb, coalesce($2::timestamptz, now()), tc, ik
                from unnest($3::bigint[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                    as r(pos, topic, prio, k, h, pl, tc, ik)
                """, conn, tx);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
            insert.Parameters.Add(TaskLeases.NowParameter(p.Now));
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(i => positions[i])] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(i => p.Events[i].Topic)] });
            insert.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = [.. rows.Select(i => (short)p.Events[i].Priority)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(i => p.Events[i].Key)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(i => EventJson.Headers(p.Events[i].Headers))] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(i => p.Events[i].PayloadJson)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(i => p.Events[i].TraceContext)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(i => p.Events[i].IdempotencyKey)] });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            foreach (var i in rows) results[i] = new AppendResult(positions[i], true);
        }
        // In someone else's transaction the wake-up must fire at its commit: a NOTIFY inside it (the log is the truth;
        // the NOTIFY only says "read").
        if (notifyInTransaction) await NotifyInsideAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>Appends events without idempotency keys in one statement: the namespace check, the positions (taken from
    /// the sequence in the order of the call) and the insert, where the keyed path needs three.</summary>
    private async Task<IReadOnlyList<AppendResult>> AppendUnkeyedAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, AppendEventsParams p, bool notifyInTransaction, CancellationToken cancellationToken)
    {
        var e = p.Events;
        await using var batch = new NpgsqlBatch(conn, tx);
        var insert = new NpgsqlBatchCommand($"""
            with ns as (select count(*) as n from {namespaces} where name = $1),
            made as (
                insert into {events} (position, namespace, topic, priority, event_key, headers, payload, time, trace_context)
                select nextval('{sequence}'), $1, topic, prio, k, h::jsonb, pl::jsonb, coalesce($2::timestamptz, now()), tc
                from (select * from unnest($3::text[], $4::smallint[], $5::text[], $6::text[], $7::text[], $8::text[])
                          with ordinality as r(topic, prio, k, h, pl, tc, ord)
                      order by ord) r
                where (select n from ns) > 0
                returning position
            )
            select (select n from ns), array(select position from made order by position)
            """);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
        insert.Parameters.Add(TaskLeases.NowParameter(p.Now));
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. e.Select(x => x.Topic)] });
        insert.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = [.. e.Select(x => (short)x.Priority)] });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. e.Select(x => x.Key)] });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. e.Select(x => EventJson.Headers(x.Headers))] });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. e.Select(x => x.PayloadJson)] });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. e.Select(x => x.TraceContext)] });
        batch.BatchCommands.Add(insert);
        // In someone else's transaction the wake-up must fire at its commit: a NOTIFY inside it, in the same round trip.
        if (notifyInTransaction)
        {
            var notify = new NpgsqlBatchCommand("select pg_notify($1, $2)");
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.NotifyChannel });
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = EventsWakePayload });
            batch.BatchCommands.Add(notify);
        }
        long[] positions;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) == 0) throw EventJson.NamespaceNotFound(p.Namespace);
            positions = reader.GetFieldValue<long[]>(1);
        }
        var results = new AppendResult[e.Count];
        for (var i = 0; i < results.Length; i++) results[i] = new AppendResult(positions[i], true);
        return results;
    }
}
