using Npgsql;
using NpgsqlTypes;
using Nexus.Events;

namespace Nexus.Storage.Postgres;

/// <summary>
/// The event log on PostgreSQL: a table partitioned by day (<see cref="PostgresEventPartitions"/>). Positions come from
/// a sequence, taken before commit, so a plain <c>position &gt; cursor</c> reader would lose a row that commits after a
/// row with a higher position. Each row therefore keeps its transaction id (<c>pg_current_xact_id()</c>), readers follow
/// (tx_id, position), and a read returns only rows whose transaction is older than the oldest transaction still
/// running (<c>pg_snapshot_xmin(pg_current_snapshot())</c>): every such transaction has committed or rolled back, so no
/// row can appear later below the cursor.
/// </summary>
internal sealed partial class PostgresEventStore : IEventStore
{
    private const string EventColumns =
        "position, tx_id::text::bigint, namespace, topic, priority, event_key, headers::text, payload::text, time, trace_context, idempotency_key";
    private const string SubscriptionColumns =
        "id, namespace, name, pattern, filter::text, action, target, args_template::text, queue, max_deliveries, ordered_by_key, cursor_tx, cursor_pos, created_at, epoch";
    private readonly PostgresDatabase db;
    private readonly TaskInserter inserter;
    private readonly string events;
    private readonly string namespaces;
    private readonly string keys;
    private readonly string subscriptions;
    private readonly string deadLetters;
    private readonly string sequence;
    private readonly NotifyCoalescer notifier;

    public PostgresEventStore(PostgresDatabase db, TaskInserter inserter)
    {
        this.db = db;
        this.inserter = inserter;
        Partitions = new PostgresEventPartitions(db);
        events = db.Schema.Table("events");
        namespaces = db.Schema.Table("namespaces");
        keys = db.Schema.Table("event_keys");
        subscriptions = db.Schema.Table("subscriptions");
        deadLetters = db.Schema.Table("event_dead_letters");
        sequence = db.Schema.Table("events_position_seq");
        notifier = new NotifyCoalescer(db);
    }

    public PostgresEventPartitions Partitions { get; }

    public async Task<(NamespaceRecord Namespace, bool Created)> CreateNamespaceAsync(NewNamespace p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        Names.Namespace(p.Name);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"""
            with made as (
                insert into {namespaces} (name, description, created_at) values ($1, $2, coalesce($3::timestamptz, now()))
                on conflict (name) do nothing returning name, description, created_at
            )
            select name, description, created_at, true from made
            union all
            select name, description, created_at, false from {namespaces} where name = $1 and not exists (select 1 from made)
            """, conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Name });
        cmd.Parameters.Add(Text(p.Description));
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (ReadNamespace(reader), reader.GetBoolean(3));
    }

    public async Task<IReadOnlyList<NamespaceRecord>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"select name, description, created_at from {namespaces} order by name", conn, joined);
        var list = new List<NamespaceRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(ReadNamespace(reader));
        return list;
    }

    public async Task<NamespaceRecord?> GetNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"select name, description, created_at from {namespaces} where name = $1", conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadNamespace(reader) : null;
    }

    /// <summary>The NOTIFY payload on the tasks channel that says "events were appended" (no queue has this name).</summary>
    public const string EventsWakePayload = "$events";

    public async Task<EventPage> ReadAsync(ReadEventsParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        var limit = Math.Clamp(p.Limit, 1, 10_000);
        if (p.ReportHeldBack && joined is null) return await ReadReportingHeldBackAsync(conn, p, limit, cancellationToken).ConfigureAwait(false);
        var list = await ReadAfterAsync(conn, joined, p.Namespace, p.After, limit, null, cancellationToken).ConfigureAwait(false);
        return new EventPage(list, list.Count == 0 ? p.After : list[^1].Cursor);
    }

    /// <summary>The page and whether committed events after it wait behind the horizon, in one snapshot (repeatable read,
    /// nothing written: its commit flushes nothing) and one round trip for both statements plus the commit. The probe
    /// starts at the caller's cursor: every event of the page lies below the horizon, so what it finds lies after the page.</summary>
    private async Task<EventPage> ReadReportingHeldBackAsync(NpgsqlConnection conn, ReadEventsParams p, int limit, CancellationToken cancellationToken)
    {
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                ReadBatchCommand(p.Namespace, p.After, limit, null),
                new NpgsqlBatchCommand($"""
                    select exists (select from {events} e
                                   where e.namespace = $1 and (e.tx_id, e.position) > ($2::text::xid8, $3) and e.tx_id >= pg_snapshot_xmin(pg_current_snapshot()))
                    """)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = p.Namespace },
                        new NpgsqlParameter<string> { TypedValue = p.After.Tx.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        new NpgsqlParameter<long> { TypedValue = p.After.Position },
                    },
                },
            },
        };
        List<EventRecord> list;
        bool held;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            list = await ReadEventsAsync(reader, cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            held = reader.GetBoolean(0);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // A full page says "read again" by itself; held-back events matter only after the last of them.
        return new EventPage(list, list.Count == 0 ? p.After : list[^1].Cursor) { HeldBack = held && list.Count < limit };
    }

    private async Task<List<EventRecord>> ReadAfterAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, string ns, LogCursor after, int limit, long? xmin, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(ReadSql(xmin is not null), conn, tx);
        foreach (var parameter in ReadParameters(ns, after, limit, xmin)) cmd.Parameters.Add(parameter);
        return await ReadEventsAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    private NpgsqlBatchCommand ReadBatchCommand(string ns, LogCursor after, int limit, long? xmin)
    {
        var cmd = new NpgsqlBatchCommand(ReadSql(xmin is not null));
        foreach (var parameter in ReadParameters(ns, after, limit, xmin)) cmd.Parameters.Add(parameter);
        return cmd;
    }

    // "order by e.tx_id": unqualified, tx_id would name the output column tx_id::text::bigint, an expression no index
    // has, and every row after the cursor would be read and sorted for the first few hundred (68 ms for 470 rows
    // with a backlog of 130,000); qualified it is the xid8 column and the read walks events_read_idx in order.
    private string ReadSql(bool givenHorizon) => $"""
        select {EventColumns} from {events} e
        where e.namespace = $1 and (e.tx_id, e.position) > ($2::text::xid8, $3) and e.tx_id < {(givenHorizon ? "$5::text::xid8" : "pg_snapshot_xmin(pg_current_snapshot())")}
        order by e.tx_id, e.position limit $4
        """;

    private static NpgsqlParameter[] ReadParameters(string ns, LogCursor after, int limit, long? xmin)
    {
        NpgsqlParameter[] parameters =
        [
            new NpgsqlParameter<string> { TypedValue = ns },
            new NpgsqlParameter<string> { TypedValue = after.Tx.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new NpgsqlParameter<long> { TypedValue = after.Position },
            new NpgsqlParameter<int> { TypedValue = limit },
        ];
        return xmin is { } x ? [.. parameters, new NpgsqlParameter<string> { TypedValue = x.ToString(System.Globalization.CultureInfo.InvariantCulture) }] : parameters;
    }

    public async Task<SubscriptionLag> LagAsync(string @namespace, LogCursor after, int cap, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            select (select count(*) from
                      (select 1 from {events} where namespace = $1 and (tx_id, position) > ($2::text::xid8, $3) order by tx_id, position limit $4) s),
                   (select time from {events} where namespace = $1 and (tx_id, position) > ($2::text::xid8, $3) order by tx_id, position limit 1)
            """, lease.Connection, lease.Joined?.Transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @namespace });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after.Tx.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(cap, 1) });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var count = reader.GetInt64(0);
        return count == 0 || reader.IsDBNull(1) ? SubscriptionLag.None : new SubscriptionLag(count, reader.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<IReadOnlyList<EventRecord>> ReadRangeAsync(ReadRangeParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"""
            select {EventColumns} from {events}
            where namespace = $1 and position >= $2 and position <= $3
              and ($4::timestamptz is null or time >= $4) and ($5::timestamptz is null or time < $5)
            order by position limit $6
            """, conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.FromPosition ?? 0 });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.ToPosition ?? long.MaxValue });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.FromTime));
        cmd.Parameters.Add(TaskLeases.NowParameter(p.ToTime));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Clamp(p.Limit, 1, 10_000) });
        return await ReadEventsAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<LogCursor> CursorAtAsync(string @namespace, SubscriptionStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.Kind == SubscriptionStartKind.All) return LogCursor.Start;
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        if (start.Kind == SubscriptionStartKind.New) return await NewCursorAsync(conn, joined, @namespace, cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            select tx_id::text::bigint, position from {events}
            where namespace = $1 and ($2::bigint is null or position <= $2) and ($3::timestamptz is null or time < $3)
            order by position desc limit 1
            """, conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @namespace });
        cmd.Parameters.Add(new NpgsqlParameter { Value = start.Kind == SubscriptionStartKind.Position ? start.Position ?? 0 : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(TaskLeases.NowParameter(start.Kind == SubscriptionStartKind.Time ? start.Time ?? DateTimeOffset.MinValue : null));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new LogCursor(reader.GetInt64(0), reader.GetInt64(1)) : LogCursor.Start;
    }

    public async Task<SubscriptionRecord> CreateSubscriptionAsync(NewSubscription p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var cursor = await CursorAtAsync(p.Namespace, p.Start, cancellationToken).ConfigureAwait(false);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"""
            insert into {subscriptions} (namespace, name, pattern, filter, action, target, args_template, queue, max_deliveries, ordered_by_key, cursor_tx, cursor_pos, created_at)
            values ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, coalesce($13::timestamptz, now()))
            on conflict (namespace, name) do nothing
            returning {SubscriptionColumns}
            """, conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Name });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Pattern });
        cmd.Parameters.Add(Text(p.FilterJson));
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Action });
        cmd.Parameters.Add(Text(p.Target));
        cmd.Parameters.Add(Text(p.ArgsTemplateJson));
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Queue });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.MaxDeliveries });
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = p.OrderedByKey });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Tx });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Position });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) throw EventJson.SubscriptionExists(p.Namespace, p.Name);
        return ReadSubscription(reader);
    }

    public Task<SubscriptionRecord?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        ReadOneSubscriptionAsync("namespace = $1 and name = $2", [new NpgsqlParameter<string> { TypedValue = @namespace }, new NpgsqlParameter<string> { TypedValue = name }], cancellationToken);

    public Task<SubscriptionRecord?> GetSubscriptionAsync(long id, CancellationToken cancellationToken = default) =>
        ReadOneSubscriptionAsync("id = $1", [new NpgsqlParameter<long> { TypedValue = id }], cancellationToken);

    public async Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(string? @namespace, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"select {SubscriptionColumns} from {subscriptions} where ($1::text is null or namespace = $1) order by namespace, name", conn, joined);
        cmd.Parameters.Add(Text(@namespace));
        var list = new List<SubscriptionRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(ReadSubscription(reader));
        return list;
    }

    public async Task<bool> DeleteSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"delete from {subscriptions} where namespace = $1 and name = $2", conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @namespace });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> MoveCursorAsync(long subscriptionId, LogCursor cursor, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"update {subscriptions} set cursor_tx = $2, cursor_pos = $3, epoch = epoch + 1 where id = $1", conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = subscriptionId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Tx });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cursor.Position });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task AddDeadLetterAsync(NewDeadLetter p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"""
            insert into {deadLetters} (namespace, subscription, position, topic, task_id, deliveries, reason, created_at)
            values ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()))
            """, conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Namespace });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Subscription });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Position });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Topic });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.TaskId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Deliveries });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Reason });
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EventDeadLetter>> ListDeadLettersAsync(string @namespace, int limit, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"""
            select id, namespace, subscription, position, topic, task_id, deliveries, reason, created_at
            from {deadLetters} where namespace = $1 order by id desc limit $2
            """, conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @namespace });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Clamp(limit, 1, 1000) });
        var list = new List<EventDeadLetter>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new EventDeadLetter
            {
                Id = reader.GetInt64(0),
                Namespace = reader.GetString(1),
                Subscription = reader.GetString(2),
                Position = reader.GetInt64(3),
                Topic = reader.GetString(4),
                TaskId = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                Deliveries = reader.GetInt32(6),
                Reason = reader.GetString(7),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(8),
            });
        }
        return list;
    }

    public async Task<int> MaintainAsync(LogMaintenanceParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        DateTimeOffset now;
        if (p.Now is { } explicitNow)
        {
            now = explicitNow;
        }
        else
        {
            await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
            var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
            await using var clock = new NpgsqlCommand("select now()", conn, joined);
            // Npgsql answers a timestamptz as a UTC DateTime when untyped: read it typed (a cast threw on every tick).
            await using var reader = await clock.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            now = reader.GetFieldValue<DateTimeOffset>(0);
        }
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await Partitions.CreateAsync(today, Math.Max(1, p.PartitionsAhead + 1), cancellationToken).ConfigureAwait(false);
        var dropped = await Partitions.DropBeforeAsync(now - p.RetainFor, cancellationToken).ConfigureAwait(false);
        await using (var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false))
        {
            var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
            // Idempotency keys are kept as long as their events.
            await using var prune = new NpgsqlCommand($"""
                delete from {keys} where ctid = any(array(select ctid from {keys} where created_at < $1 limit $2))
                """, conn, joined);
            prune.Parameters.Add(TaskLeases.NowParameter(now - p.RetainFor));
            prune.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.BatchSize });
            await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return dropped;
    }

    public async Task<LogCursor> HorizonAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"select tx, position from {db.Schema.Table("log_horizon")} where namespace = $1", conn, joined);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @namespace });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? new LogCursor(reader.GetInt64(0), reader.GetInt64(1)) : LogCursor.Start;
    }

    private async Task<SubscriptionRecord?> ReadOneSubscriptionAsync(string where, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var (conn, joined) = (lease.Connection, lease.Joined?.Transaction);
        await using var cmd = new NpgsqlCommand($"select {SubscriptionColumns} from {subscriptions} where {where}", conn, joined);
        cmd.Parameters.AddRange(parameters);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadSubscription(reader) : null;
    }

    private static async Task<List<EventRecord>> ReadEventsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadEventsAsync(r, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<EventRecord>> ReadEventsAsync(NpgsqlDataReader r, CancellationToken cancellationToken)
    {
        var list = new List<EventRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var position = r.GetInt64(0);
            list.Add(new EventRecord
            {
                Position = position,
                Cursor = new LogCursor(r.GetInt64(1), position),
                Namespace = r.GetString(2),
                Topic = r.GetString(3),
                Priority = (EventPriority)r.GetInt16(4),
                Key = r.IsDBNull(5) ? null : r.GetString(5),
                Headers = EventJson.Headers(r.GetString(6)),
                PayloadJson = r.GetString(7),
                Time = r.GetFieldValue<DateTimeOffset>(8),
                TraceContext = r.IsDBNull(9) ? null : r.GetString(9),
                IdempotencyKey = r.IsDBNull(10) ? null : r.GetString(10),
            });
        }
        return list;
    }

    private static NamespaceRecord ReadNamespace(NpgsqlDataReader r) =>
        new(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<DateTimeOffset>(2));

    private static SubscriptionRecord ReadSubscription(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Namespace = r.GetString(1),
        Name = r.GetString(2),
        Pattern = r.GetString(3),
        FilterJson = r.IsDBNull(4) ? null : r.GetString(4),
        Action = r.GetString(5),
        Target = r.IsDBNull(6) ? null : r.GetString(6),
        ArgsTemplateJson = r.IsDBNull(7) ? null : r.GetString(7),
        Queue = r.GetString(8),
        MaxDeliveries = r.GetInt32(9),
        OrderedByKey = r.GetBoolean(10),
        Cursor = new LogCursor(r.GetInt64(11), r.GetInt64(12)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(13),
        Epoch = r.GetInt64(14),
    };

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
}
