using System.Globalization;
using Microsoft.Data.Sqlite;
using Nexus.Events;

namespace Nexus.Storage.Sqlite;

/// <summary>The event log on SQLite. Every write holds the file's one write lock from <c>BEGIN IMMEDIATE</c> to commit,
/// so positions (the rowid) commit in order: a reader that follows <c>position &gt; cursor</c> never skips a late
/// commit, and the cursor's transaction part is always 0. Written against a <see cref="SqliteSession"/>: the same code runs
/// through the writer or inside a unit of work.</summary>
internal sealed class SqliteEventStore(SqliteSession session) : IEventStore
{
    private const string EventColumns = "position, namespace, topic, priority, event_key, headers, payload, time, trace_context, idempotency_key";
    private const string SubscriptionColumns =
        "id, namespace, name, pattern, filter, action, target, args_template, queue, max_deliveries, ordered_by_key, cursor_tx, cursor_pos, created_at, epoch";

    public Task<(NamespaceRecord Namespace, bool Created)> CreateNamespaceAsync(NewNamespace p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        Names.Namespace(p.Name);
        return session.WriteAsync(async tx =>
        {
            await using var insert = SqliteRows.Command(tx, """
                INSERT INTO nexus_namespaces (name, description, created_at) VALUES ($name, $description, $now)
                ON CONFLICT (name) DO NOTHING
                """);
            insert.Add("$name", p.Name);
            insert.Add("$description", p.Description);
            insert.Add("$now", session.NowMs(p.Now));
            var created = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            await using var read = SqliteRows.Command(tx, "SELECT name, description, created_at FROM nexus_namespaces WHERE name = $name");
            read.Add("$name", p.Name);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (ReadNamespace(reader), created);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<NamespaceRecord>> ListNamespacesAsync(CancellationToken cancellationToken = default)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = "SELECT name, description, created_at FROM nexus_namespaces ORDER BY name";
            var list = new List<NamespaceRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) list.Add(ReadNamespace(reader));
            return list;
        }, cancellationToken);
    }

    public async Task<NamespaceRecord?> GetNamespaceAsync(string name, CancellationToken cancellationToken = default)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = "SELECT name, description, created_at FROM nexus_namespaces WHERE name = $name";
            command.Add("$name", name);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadNamespace(reader) : null;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AppendResult>> AppendAsync(AppendEventsParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Events.Count == 0) return Task.FromResult<IReadOnlyList<AppendResult>>([]);
        return session.WriteAsync(tx => AppendAsync(tx, p, cancellationToken), cancellationToken);
    }

    /// <summary>Appends inside an open write transaction (the unit of work of other areas joins here).</summary>
    internal async Task<IReadOnlyList<AppendResult>> AppendAsync(SqliteTransaction tx, AppendEventsParams p, CancellationToken cancellationToken)
    {
        await using (var exists = SqliteRows.Command(tx, "SELECT 1 FROM nexus_namespaces WHERE name = $name"))
        {
            exists.Add("$name", p.Namespace);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null) throw EventJson.NamespaceNotFound(p.Namespace);
        }
        var now = session.NowMs(p.Now);
        await using var insert = SqliteRows.Command(tx, """
            INSERT INTO nexus_events (namespace, topic, priority, event_key, headers, payload, time, trace_context, idempotency_key)
            VALUES ($ns, $topic, $priority, $key, $headers, $payload, $now, $trace, $idem)
            ON CONFLICT (namespace, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING position
            """);
        insert.Add("$ns", p.Namespace);
        var topic = insert.Add("$topic", "");
        var priority = insert.Add("$priority", 1);
        var key = insert.Add("$key", null);
        var headers = insert.Add("$headers", "{}");
        var payload = insert.Add("$payload", "");
        insert.Add("$now", now);
        var trace = insert.Add("$trace", null);
        var idem = insert.Add("$idem", null);
        await using var existing = SqliteRows.Command(tx, "SELECT position FROM nexus_events WHERE namespace = $ns AND idempotency_key = $idem");
        existing.Add("$ns", p.Namespace);
        var existingKey = existing.Add("$idem", "");
        var results = new AppendResult[p.Events.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var e = p.Events[i];
            topic.Value = e.Topic;
            priority.Value = (int)e.Priority;
            key.Value = (object?)e.Key ?? DBNull.Value;
            headers.Value = EventJson.Headers(e.Headers);
            payload.Value = e.PayloadJson;
            trace.Value = (object?)e.TraceContext ?? DBNull.Value;
            idem.Value = (object?)e.IdempotencyKey ?? DBNull.Value;
            var position = await insert.ExecuteScalarAsync(cancellationToken);
            if (position is not null)
            {
                results[i] = new AppendResult(Convert.ToInt64(position, CultureInfo.InvariantCulture), true);
                continue;
            }
            existingKey.Value = e.IdempotencyKey;
            results[i] = new AppendResult(Convert.ToInt64(await existing.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture), false);
        }
        return results;
    }

    public async Task<EventPage> ReadAsync(ReadEventsParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return await session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {EventColumns} FROM nexus_events WHERE namespace = $ns AND position > $after ORDER BY position LIMIT $limit";
            command.Add("$ns", p.Namespace);
            command.Add("$after", p.After.Position);
            command.Add("$limit", Math.Clamp(p.Limit, 1, 10_000));
            var events = await ReadEventsAsync(command, cancellationToken);
            return new EventPage(events, events.Count == 0 ? p.After : events[^1].Cursor);
        }, cancellationToken);
    }

    public async Task<SubscriptionLag> LagAsync(string @namespace, LogCursor after, int cap, CancellationToken cancellationToken = default)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = """
                SELECT (SELECT count(*) FROM (SELECT 1 FROM nexus_events WHERE namespace = $ns AND position > $after ORDER BY position LIMIT $cap)),
                       (SELECT time FROM nexus_events WHERE namespace = $ns AND position > $after ORDER BY position LIMIT 1)
                """;
            command.Add("$ns", @namespace);
            command.Add("$after", after.Position);
            command.Add("$cap", Math.Max(cap, 1));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var count = reader.GetInt64(0);
            return count == 0 || reader.IsDBNull(1) ? SubscriptionLag.None : new SubscriptionLag(count, SqliteRows.Time(reader.GetInt64(1)));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<EventRecord>> ReadRangeAsync(ReadRangeParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return await session.ReadAsync(async command =>
        {
            command.CommandText = $"""
                SELECT {EventColumns} FROM nexus_events
                WHERE namespace = $ns AND position >= $from AND position <= $to AND time >= $fromTime AND time < $toTime
                ORDER BY position LIMIT $limit
                """;
            command.Add("$ns", p.Namespace);
            command.Add("$from", p.FromPosition ?? 0);
            command.Add("$to", p.ToPosition ?? long.MaxValue);
            command.Add("$fromTime", p.FromTime?.ToUnixTimeMilliseconds() ?? long.MinValue);
            command.Add("$toTime", p.ToTime?.ToUnixTimeMilliseconds() ?? long.MaxValue);
            command.Add("$limit", Math.Clamp(p.Limit, 1, 10_000));
            return await ReadEventsAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public async Task<LogCursor> CursorAtAsync(string @namespace, SubscriptionStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        return await session.ReadAsync(async command =>
        {
            switch (start.Kind)
            {
                case SubscriptionStartKind.All:
                    return LogCursor.Start;
                case SubscriptionStartKind.Position:
                    // As on PostgreSQL: after the namespace's last event at or before the position, so a position past the
                    // newest event starts at the newest (never skips what is appended next up to that position).
                    command.CommandText = "SELECT coalesce(max(position), 0) FROM nexus_events WHERE namespace = $ns AND position <= $position";
                    command.Add("$position", start.Position ?? 0);
                    break;
                case SubscriptionStartKind.Time:
                    command.CommandText = "SELECT coalesce(max(position), 0) FROM nexus_events WHERE namespace = $ns AND time < $time";
                    command.Add("$time", (start.Time ?? DateTimeOffset.MinValue).ToUnixTimeMilliseconds());
                    break;
                default:
                    command.CommandText = "SELECT coalesce(max(position), 0) FROM nexus_events WHERE namespace = $ns";
                    break;
            }
            command.Add("$ns", @namespace);
            return new LogCursor(0, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    public async Task<SubscriptionRecord> CreateSubscriptionAsync(NewSubscription p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        // The start is resolved before the insert: on one writer nothing commits between the two that a "new"
        // subscription would miss, because events appended meanwhile come after the cursor read here.
        var cursor = await CursorAtAsync(p.Namespace, p.Start, cancellationToken);
        return await session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                INSERT INTO nexus_subscriptions (namespace, name, pattern, filter, action, target, args_template, queue, max_deliveries, ordered_by_key, cursor_tx, cursor_pos, created_at)
                VALUES ($ns, $name, $pattern, $filter, $action, $target, $template, $queue, $max, $ordered, 0, $cursor, $now)
                ON CONFLICT (namespace, name) DO NOTHING
                RETURNING {SubscriptionColumns}
                """);
            command.Add("$ns", p.Namespace);
            command.Add("$name", p.Name);
            command.Add("$pattern", p.Pattern);
            command.Add("$filter", p.FilterJson);
            command.Add("$action", p.Action);
            command.Add("$target", p.Target);
            command.Add("$template", p.ArgsTemplateJson);
            command.Add("$queue", p.Queue);
            command.Add("$max", p.MaxDeliveries);
            command.Add("$ordered", p.OrderedByKey ? 1 : 0);
            command.Add("$cursor", cursor.Position);
            command.Add("$now", session.NowMs(p.Now));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken)) throw EventJson.SubscriptionExists(p.Namespace, p.Name);
            return ReadSubscription(reader);
        }, cancellationToken);
    }

    public Task<SubscriptionRecord?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        ReadOneSubscriptionAsync("namespace = $ns AND name = $name", c => { c.Add("$ns", @namespace); c.Add("$name", name); }, cancellationToken);

    public Task<SubscriptionRecord?> GetSubscriptionAsync(long id, CancellationToken cancellationToken = default) =>
        ReadOneSubscriptionAsync("id = $id", c => c.Add("$id", id), cancellationToken);

    public async Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(string? @namespace, CancellationToken cancellationToken = default)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {SubscriptionColumns} FROM nexus_subscriptions WHERE ($ns IS NULL OR namespace = $ns) ORDER BY namespace, name";
            command.Add("$ns", @namespace);
            var list = new List<SubscriptionRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) list.Add(ReadSubscription(reader));
            return list;
        }, cancellationToken);
    }

    public Task<bool> DeleteSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "DELETE FROM nexus_subscriptions WHERE namespace = $ns AND name = $name");
            command.Add("$ns", @namespace);
            command.Add("$name", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<bool> MoveCursorAsync(long subscriptionId, LogCursor cursor, CancellationToken cancellationToken = default) =>
        session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, "UPDATE nexus_subscriptions SET cursor_tx = 0, cursor_pos = $pos, epoch = epoch + 1 WHERE id = $id");
            command.Add("$id", subscriptionId);
            command.Add("$pos", cursor.Position);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<DispatchResult> DispatchAsync(
        DispatchParams p, Func<SubscriptionRecord, IReadOnlyList<EventRecord>, IReadOnlyList<NewTask>> plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(plan);
        return session.WriteAsync(async tx =>
        {
            var subscriptions = new List<SubscriptionRecord>();
            await using (var list = SqliteRows.Command(tx, $"""
                SELECT {SubscriptionColumns} FROM nexus_subscriptions s
                WHERE EXISTS (SELECT 1 FROM nexus_events e WHERE e.namespace = s.namespace AND e.position > s.cursor_pos)
                ORDER BY cursor_pos, id LIMIT $max
                """))
            {
                list.Add("$max", p.MaxSubscriptions);
                await using var reader = await list.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) subscriptions.Add(ReadSubscription(reader));
            }
            int read = 0, delivered = 0;
            var full = false;
            var bySubscription = new Dictionary<long, int>();
            var owners = new HashSet<string>(StringComparer.Ordinal);
            await using var events = SqliteRows.Command(tx, $"SELECT {EventColumns} FROM nexus_events WHERE namespace = $ns AND position > $after ORDER BY position LIMIT $limit");
            var ns = events.Add("$ns", "");
            var after = events.Add("$after", 0L);
            events.Add("$limit", p.MaxEvents);
            // One read per namespace window (DispatchWindows), not per subscription, and one insert of the pass's deliveries.
            var shares = await DispatchWindows.ReadAsync(subscriptions, p.MaxEvents, async (name, from) =>
            {
                ns.Value = name;
                after.Value = from.Position;
                return await ReadEventsAsync(events, cancellationToken);
            });
            await using var move = SqliteRows.Command(tx, "UPDATE nexus_subscriptions SET cursor_pos = $pos WHERE id = $id AND cursor_pos = $old");
            var moveId = move.Add("$id", 0L);
            var movePos = move.Add("$pos", 0L);
            var moveOld = move.Add("$old", 0L);
            var deliveries = new List<NewTask>();
            var planned = new List<(long Subscription, int Count)>();
            foreach (var share in shares)
            {
                var batch = share.Batch;
                if (batch.Count == 0) continue;
                full |= share.More;
                read += batch.Count;
                var mine = plan(share.Subscription, batch);
                foreach (var d in mine) if (DeliveryOwner.IsDelivery(d.Owner)) owners.Add(d.Owner!);
                deliveries.AddRange(mine);
                planned.Add((share.Subscription.Id, mine.Count));
                moveId.Value = share.Subscription.Id;
                movePos.Value = batch[^1].Position;
                moveOld.Value = share.Subscription.Cursor.Position;
                await move.ExecuteNonQueryAsync(cancellationToken);
            }
            if (deliveries.Count > 0)
            {
                var inserted = await session.Join(tx).Tasks.InsertAsync(new InsertTasksParams(deliveries) { Now = p.Now }, cancellationToken);
                var at = 0;
                foreach (var (id, count) in planned)
                {
                    if (count == 0) continue;
                    var created = 0;
                    for (var k = at; k < at + count; k++) if (inserted[k].Created) created++;
                    at += count;
                    delivered += created;
                    bySubscription[id] = created;
                }
            }
            if (owners.Count > 0) await ReleaseInAsync(tx, owners, p.Now, cancellationToken);
            // Every slot taken: more subscriptions may have something to read; the dispatcher goes on at once.
            return new DispatchResult(subscriptions.Count, read, delivered, full || subscriptions.Count == p.MaxSubscriptions) { DeliveriesBySubscription = bySubscription };
        }, cancellationToken);
    }

    public Task<int> ReleaseDeliveriesAsync(ReleaseDeliveriesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var owners = p.Owners.Where(DeliveryOwner.IsDelivery).ToHashSet(StringComparer.Ordinal);
        return owners.Count == 0 ? Task.FromResult(0) : session.WriteAsync(tx => ReleaseInAsync(tx, owners, p.Now, cancellationToken), cancellationToken);
    }

    /// <summary>Releases the next waiting delivery of each link that has none in flight. The file's one write lock
    /// serializes this with the dispatch and with every terminal change.</summary>
    private async Task<int> ReleaseInAsync(SqliteTransaction tx, IReadOnlyCollection<string> owners, DateTimeOffset? now, CancellationToken cancellationToken)
    {
        await using var release = SqliteRows.Command(tx, """
            UPDATE nexus_tasks SET state = 'available', run_at = $now
            WHERE state = 'waiting' AND id IN (
                SELECT (SELECT t.id FROM nexus_tasks t WHERE t.owner = o.value AND t.state = 'waiting' ORDER BY t.id LIMIT 1)
                FROM (SELECT DISTINCT value FROM json_each($owners)) o
                WHERE NOT EXISTS (SELECT 1 FROM nexus_tasks t WHERE t.owner = o.value AND t.state IN ('available', 'scheduled', 'running', 'retrying')))
            RETURNING queue
            """);
        release.Add("$now", session.NowMs(now));
        release.Add("$owners", System.Text.Json.JsonSerializer.Serialize(owners));
        return await SqliteTaskCounts.MovedReturningAsync(tx, release, "waiting", "available", cancellationToken);
    }

    public Task AddDeadLetterAsync(NewDeadLetter p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, """
                INSERT INTO nexus_event_dead_letters (namespace, subscription, position, topic, task_id, deliveries, reason, created_at)
                VALUES ($ns, $sub, $pos, $topic, $task, $deliveries, $reason, $now)
                """);
            command.Add("$ns", p.Namespace);
            command.Add("$sub", p.Subscription);
            command.Add("$pos", p.Position);
            command.Add("$topic", p.Topic);
            command.Add("$task", p.TaskId);
            command.Add("$deliveries", p.Deliveries);
            command.Add("$reason", p.Reason);
            command.Add("$now", session.NowMs(p.Now));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<EventDeadLetter>> ListDeadLettersAsync(string @namespace, int limit, CancellationToken cancellationToken = default)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = """
                SELECT id, namespace, subscription, position, topic, task_id, deliveries, reason, created_at
                FROM nexus_event_dead_letters WHERE namespace = $ns ORDER BY id DESC LIMIT $limit
                """;
            command.Add("$ns", @namespace);
            command.Add("$limit", Math.Clamp(limit, 1, 1000));
            var list = new List<EventDeadLetter>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
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
                    CreatedAt = SqliteRows.Time(reader.GetInt64(8)),
                });
            }
            return list;
        }, cancellationToken);
    }

    public async Task<int> MaintainAsync(LogMaintenanceParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var cutoff = session.NowMs(p.Now) - (long)p.RetainFor.TotalMilliseconds;
        var total = 0;
        int deleted;
        do
        {
            // One short write per batch, so retention never holds the write lock for long.
            deleted = await session.WriteAsync(async tx =>
            {
                // The horizon moves in the same write as the delete: a reader below it is told to resync.
                await using (var horizon = SqliteRows.Command(tx, """
                    INSERT INTO nexus_log_horizon (namespace, position)
                    SELECT namespace, max(position) FROM (SELECT namespace, position FROM nexus_events WHERE time < $cutoff ORDER BY position LIMIT $batch) WHERE true GROUP BY namespace
                    ON CONFLICT (namespace) DO UPDATE SET position = max(position, excluded.position)
                    """))
                {
                    horizon.Add("$cutoff", cutoff);
                    horizon.Add("$batch", p.BatchSize);
                    await horizon.ExecuteNonQueryAsync(cancellationToken);
                }
                await using var command = SqliteRows.Command(tx, """
                    DELETE FROM nexus_events WHERE position IN (SELECT position FROM nexus_events WHERE time < $cutoff ORDER BY position LIMIT $batch)
                    """);
                command.Add("$cutoff", cutoff);
                command.Add("$batch", p.BatchSize);
                return await command.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
            total += deleted;
        }
        while (deleted == p.BatchSize && !cancellationToken.IsCancellationRequested);
        return total;
    }

    public async Task<LogCursor> HorizonAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = "SELECT coalesce(max(position), 0) FROM nexus_log_horizon WHERE namespace = $ns";
            command.Add("$ns", @namespace);
            return new LogCursor(0, Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Callers pass constant WHERE clauses; values are parameters.")]
    private async Task<SubscriptionRecord?> ReadOneSubscriptionAsync(string where, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        return await session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {SubscriptionColumns} FROM nexus_subscriptions WHERE {where}";
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? ReadSubscription(reader) : null;
        }, cancellationToken);
    }

    private static async Task<List<EventRecord>> ReadEventsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<EventRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var position = r.GetInt64(0);
            list.Add(new EventRecord
            {
                Position = position,
                Cursor = new LogCursor(0, position),
                Namespace = r.GetString(1),
                Topic = r.GetString(2),
                Priority = (EventPriority)r.GetInt32(3),
                Key = r.IsDBNull(4) ? null : r.GetString(4),
                Headers = EventJson.Headers(r.GetString(5)),
                PayloadJson = r.GetString(6),
                Time = SqliteRows.Time(r.GetInt64(7)),
                TraceContext = r.IsDBNull(8) ? null : r.GetString(8),
                IdempotencyKey = r.IsDBNull(9) ? null : r.GetString(9),
            });
        }
        return list;
    }

    private static NamespaceRecord ReadNamespace(SqliteDataReader r) =>
        new(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), SqliteRows.Time(r.GetInt64(2)));

    private static SubscriptionRecord ReadSubscription(SqliteDataReader r) => new()
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
        OrderedByKey = r.GetInt64(10) != 0,
        Cursor = new LogCursor(r.GetInt64(11), r.GetInt64(12)),
        CreatedAt = SqliteRows.Time(r.GetInt64(13)),
        Epoch = r.GetInt64(14),
    };
}
