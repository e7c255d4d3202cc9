using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>Inserts a batch of tasks in one round trip: a statement that locks the rows of queues with a backlog
/// limit, then one multi-row insert from arrays (<c>unnest</c>) that checks those limits, skips known unique keys,
/// and raises one NOTIFY, then (only when keys are present) a lookup of the ids behind the keys. Very large batches
/// are split into chunks inside one transaction. Large plain batches take <see cref="TaskCopier"/>'s COPY path, one
/// task without a key <see cref="SingleTaskInserter"/>'s narrow statement.</summary>
internal sealed class TaskInserter
{
    private readonly PostgresDatabase db;
    private readonly NotifyCoalescer notifier;
    private readonly TaskCopier copier;
    private readonly SingleTaskInserter single;
    private readonly string lockSql;
    private readonly string insertSql;
    private readonly string keysSql;
    private int _plainInFlight;

    public TaskInserter(PostgresDatabase db)
    {
        this.db = db;
        notifier = new NotifyCoalescer(db);
        copier = new TaskCopier(db);
        single = new SingleTaskInserter(db);
        var tasks = db.Schema.Table("tasks");
        var queues = db.Schema.Table("queues");

        // Locks the limited queues first, so that the insert's own snapshot (a later statement) sees every
        // competing insert that committed before us: the backlog check is exact under concurrency.
        lockSql = $"select name from {queues} where name = any($1) and max_backlog is not null order by name for update";

        insertSql = $"""
            with clock as (select coalesce($1::timestamptz, now()) as now, pg_get_serial_sequence('{tasks}', 'id')::regclass as seq),
            input as (
                select i.*, row_number() over (partition by i.queue, i.unique_key order by i.ord) as key_rank
                from unnest($2::text[], $3::text[], $4::int[], $5::jsonb[], $6::timestamptz[], $7::interval[],
                            $8::int[], $9::jsonb[], $10::bigint[], $11::text[], $12::jsonb[], $16::text[], $17::boolean[], $18::text[])
                     with ordinality as i(plugin, queue, priority, args, run_at, delay, max_attempts, retry, timeout_ms, unique_key, tags, trace_context, waiting, owner, ord)
            ),
            candidates as (
                select i.*, nextval(c.seq) as new_id,
                       coalesce(i.run_at, c.now + i.delay, c.now) as due
                from input i cross join clock c
                where i.unique_key is null
                   or (i.key_rank = 1 and not exists (select 1 from {tasks} t where t.queue = i.queue and t.unique_key = i.unique_key))
                order by i.ord
            ),
            full_queues as (
                select q.name, q.max_backlog
                from {queues} q
                where q.name = any($13) and q.max_backlog is not null
                  and (select count(*) from {tasks} t where t.queue = q.name and t.state in ('scheduled', 'available', 'retrying'))
                    + (select count(*) from candidates c where c.queue = q.name) > q.max_backlog
            ),
            plain as (
                {Insert("c.unique_key is null", "")}
            ),
            keyed as (
                {Insert("c.unique_key is not null", "on conflict (queue, unique_key) where unique_key is not null do nothing")}
            ),
            inserted as (
                select id from plain union all select id from keyed
            ),
            woken as (
                select pg_notify($14, $15) from (select 1 from inserted limit 1) any_row where $14::text is not null
            )
            select 0 as kind, c.ord, c.new_id, null::text, null::bigint from inserted i join candidates c on c.new_id = i.id
            union all
            select 1, null, null, f.name, f.max_backlog from full_queues f
            union all
            select 2, null, (select count(*) from woken), null, null
            """;

        // Rows without a key skip ON CONFLICT's speculative insertion, which costs about a fifth more per row.
        string Insert(string which, string onConflict) => $"""
            insert into {tasks} (id, plugin, queue, priority, state, args, attempt, max_attempts, run_at, created_at,
                                 unique_key, tags, timeout_ms, retry, trace_context, owner)
            select c.new_id, c.plugin, c.queue, c.priority,
                   case when c.waiting then 'waiting' when c.due > k.now then 'scheduled' else 'available' end,
                   c.args, 0, c.max_attempts, c.due, k.now, c.unique_key, c.tags, c.timeout_ms, c.retry, c.trace_context, c.owner
            from candidates c cross join clock k
            where {which} and not exists (select 1 from full_queues)
            order by c.ord
            {onConflict}
            returning id
            """;

        // A later statement than the insert, so it sees keys that a concurrent transaction committed meanwhile. Keys
        // are unique per queue (migration 7): a key is looked up with its queue, so another queue's key is never seen.
        keysSql = $"""
            select t.queue, t.unique_key, t.id
            from {tasks} t join unnest($1::text[], $2::text[]) as k(queue, unique_key) on t.queue = k.queue and t.unique_key = k.unique_key
            """;
    }

    public async Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Tasks.Count == 0) return [];
        Validate(p.Tasks);

        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (copier.Suits(p.Tasks) || p.Tasks.Count > db.Options.InsertChunkSize) return await InsertNotifyingAfterAsync(conn, p, cancellationToken).ConfigureAwait(false);
        // A submit alone in this process raises its NOTIFY inside its own statement (the woken CTE, only when it
        // created a row): one round trip in all. The coalescer's NOTIFY after the commit is a second round trip and
        // transaction, plus a hand-off to another task, on the path of every awaited submit (single submits from one
        // caller +25 %, docs/benchmarks.md). Submits that overlap others keep the coalescer: PostgreSQL serializes the
        // commits of notifying transactions, and one NOTIFY after many commits is cheaper than one inside each.
        var alone = Interlocked.Increment(ref _plainInFlight) == 1;
        try
        {
            if (SingleTaskInserter.Suits(p.Tasks) && await single.TryInsertAsync(conn, p.Tasks[0], p.Now, notify: alone, cancellationToken).ConfigureAwait(false) is { } id)
            {
                if (!alone) await notifier.SignalAsync(p.Tasks[0].Queue).ConfigureAwait(false);
                return [new SubmitResult(id, true)];
            }
            // Several tasks, a unique key, or a queue with a backlog limit (the narrow statement declined).
            if (alone) return await InsertChunkAsync(conn, null, p.Tasks, p.Now, notifyInTransaction: true, existingIds: true, cancellationToken).ConfigureAwait(false);
            return await InsertNotifyingAfterAsync(conn, p, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _plainInFlight);
        }
    }

    private async Task<IReadOnlyList<SubmitResult>> InsertNotifyingAfterAsync(NpgsqlConnection conn, InsertTasksParams p, CancellationToken cancellationToken)
    {
        // COPY takes any number of rows in one statement, so the fast path needs no chunks.
        var results = (copier.Suits(p.Tasks) ? await copier.TryInsertAsync(conn, p.Tasks, p.Now, cancellationToken).ConfigureAwait(false) : null)
            ?? await InsertGeneralAsync(conn, p, cancellationToken).ConfigureAwait(false);
        if (results.Any(r => r.Created)) await notifier.SignalAsync(WakePayload(p.Tasks)).ConfigureAwait(false);
        return results;
    }

    private async Task<IReadOnlyList<SubmitResult>> InsertGeneralAsync(NpgsqlConnection conn, InsertTasksParams p, CancellationToken cancellationToken)
    {
        if (p.Tasks.Count <= db.Options.InsertChunkSize)
        {
            // One batch without BEGIN: its statements share one implicit transaction and one round trip.
            return await InsertChunkAsync(conn, null, p.Tasks, p.Now, notifyInTransaction: false, existingIds: true, cancellationToken).ConfigureAwait(false);
        }
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var results = await InsertChunksAsync(conn, tx, p, notifyInTransaction: false, existingIds: true, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>Inserts inside the caller's transaction: the tasks exist exactly when it commits. A refused batch
    /// (queue full) leaves the transaction usable and without any of the batch's rows.</summary>
    public Task<IReadOnlyList<SubmitResult>> InsertAsync(NpgsqlTransaction transaction, InsertTasksParams p, CancellationToken cancellationToken) =>
        InsertAsync(transaction, p, existingIds: true, cancellationToken);

    /// <summary>As <see cref="InsertAsync(NpgsqlTransaction, InsertTasksParams, CancellationToken)"/>; with
    /// <paramref name="existingIds"/> false a task skipped for its unique key comes back as <c>(0, false)</c> instead of
    /// with the existing task's id: the event dispatcher only counts what it created, and saves the lookup of every key.</summary>
    public async Task<IReadOnlyList<SubmitResult>> InsertAsync(NpgsqlTransaction transaction, InsertTasksParams p, bool existingIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(p);
        var conn = transaction.Connection
            ?? throw new InvalidOperationException("The transaction is already completed; submit inside an open transaction.");
        if (p.Tasks.Count == 0) return [];
        Validate(p.Tasks);

        if (p.Tasks.Count <= db.Options.InsertChunkSize)
        {
            // A single statement inserts all or nothing, so no savepoint is needed to undo a refusal.
            return await InsertChunkAsync(conn, transaction, p.Tasks, p.Now, notifyInTransaction: true, existingIds, cancellationToken).ConfigureAwait(false);
        }

        const string savepoint = "nexus_insert";
        await transaction.SaveAsync(savepoint, cancellationToken).ConfigureAwait(false);
        try
        {
            var results = await InsertChunksAsync(conn, transaction, p, notifyInTransaction: true, existingIds, cancellationToken).ConfigureAwait(false);
            await transaction.ReleaseAsync(savepoint, cancellationToken).ConfigureAwait(false);
            return results;
        }
        catch (QueueFullException)
        {
            await transaction.RollbackAsync(savepoint, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The event dispatcher's insert, inside its transaction: every task has a unique key that normally does
    /// not exist yet (the dispatcher holds the subscriptions' row locks), so a large batch takes
    /// <see cref="TaskCopier.TryInsertKeyedAsync"/>'s COPY; otherwise (small, a backlog-limited queue, or a key that
    /// exists after all) the general insert, which skips existing keys. Only <see cref="SubmitResult.Created"/> is meaningful: a skipped key comes back as <c>(0, false)</c>.</summary>
    public async Task<IReadOnlyList<SubmitResult>> InsertDeliveriesAsync(NpgsqlTransaction transaction, InsertTasksParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(p);
        var conn = transaction.Connection
            ?? throw new InvalidOperationException("The transaction is already completed; submit inside an open transaction.");
        if (p.Tasks.Count == 0) return [];
        if (copier.SuitsKeyed(p.Tasks))
        {
            Validate(p.Tasks);
            var copied = await copier.TryInsertKeyedAsync(conn, transaction, p.Tasks, p.Now, cancellationToken).ConfigureAwait(false);
            if (copied is not null) return copied;
        }
        return await InsertAsync(transaction, p, existingIds: false, cancellationToken).ConfigureAwait(false);
    }

    private static string WakePayload(IReadOnlyList<NewTask> tasks)
    {
        var queue = tasks[0].Queue;
        for (var i = 1; i < tasks.Count; i++)
        {
            if (tasks[i].Queue != queue) return "";
        }
        return queue;
    }

    private async Task<List<SubmitResult>> InsertChunksAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, InsertTasksParams p, bool notifyInTransaction, bool existingIds, CancellationToken cancellationToken)
    {
        // Repeated identical NOTIFYs in one transaction are delivered once, so chunking keeps "one wake per call".
        var all = p.Tasks as NewTask[] ?? [.. p.Tasks];
        var results = new List<SubmitResult>(all.Length);
        for (var start = 0; start < all.Length; start += db.Options.InsertChunkSize)
        {
            var chunk = new ArraySegment<NewTask>(all, start, Math.Min(db.Options.InsertChunkSize, all.Length - start));
            results.AddRange(await InsertChunkAsync(conn, tx, chunk, p.Now, notifyInTransaction, existingIds, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<IReadOnlyList<SubmitResult>> InsertChunkAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<NewTask> tasks, DateTimeOffset? now, bool notifyInTransaction, bool existingIds,
        CancellationToken cancellationToken)
    {
        var n = tasks.Count;
        var plugin = new string[n];
        var queue = new string[n];
        var priority = new int[n];
        var args = new string[n];
        var runAt = new DateTime?[n];
        var delay = new TimeSpan?[n];
        var maxAttempts = new int[n];
        var retry = new string?[n];
        var timeoutMs = new long?[n];
        var uniqueKey = new string?[n];
        var tags = new string[n];
        var traceContext = new string?[n];
        var waiting = new bool[n];
        var owner = new string?[n];
        var keys = new HashSet<(string Queue, string Key)>();
        var queueSet = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var t = tasks[i];
            plugin[i] = t.Plugin;
            queue[i] = t.Queue;
            priority[i] = t.Priority;
            args[i] = t.ArgsJson;
            runAt[i] = t.RunAt?.UtcDateTime;
            delay[i] = t.RunAt is null && t.Delay is { } d ? TaskBounds.ClampDelay(d) : null;
            maxAttempts[i] = t.MaxAttempts;
            retry[i] = StoredJson.Retry(t.Retry);
            timeoutMs[i] = t.Timeout is { } timeout ? (long)TaskBounds.ClampTimeout(timeout).TotalMilliseconds : null;
            uniqueKey[i] = t.UniqueKey;
            tags[i] = StoredJson.Tags(t.Tags);
            traceContext[i] = t.TraceContext;
            waiting[i] = t.Waiting;
            owner[i] = t.Owner;
            if (t.UniqueKey is not null && existingIds) keys.Add((t.Queue, t.UniqueKey));
            queueSet.Add(t.Queue);
        }
        var queues = queueSet.Order(StringComparer.Ordinal).ToArray();

        await using var batch = new NpgsqlBatch(conn, tx);
        var lockCmd = new NpgsqlBatchCommand(lockSql);
        lockCmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = queues });
        batch.BatchCommands.Add(lockCmd);

        var insert = new NpgsqlBatchCommand(insertSql);
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = plugin });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = queue });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = priority });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = args, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new NpgsqlParameter<DateTime?[]> { TypedValue = runAt, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter<TimeSpan?[]> { TypedValue = delay, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = maxAttempts });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = retry, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = timeoutMs });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = uniqueKey, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = tags, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = queues });
        insert.Parameters.Add(new NpgsqlParameter { Value = notifyInTransaction ? db.Schema.NotifyChannel : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        // One queue: wake its workers. Several: an empty payload, which listeners read as "look everywhere".
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queues.Length == 1 ? queues[0] : "" });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = traceContext, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = waiting });
        insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = owner, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        batch.BatchCommands.Add(insert);

        if (keys.Count > 0)
        {
            var keysCmd = new NpgsqlBatchCommand(keysSql);
            keysCmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.Queue)] });
            keysCmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys.Select(k => k.Key)] });
            batch.BatchCommands.Add(keysCmd);
        }

        var created = new long?[n];
        var existing = new Dictionary<(string Queue, string Key), long>();
        (string Queue, long Max)? full = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) { } // the lock statement
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        created[reader.GetInt64(1) - 1] = reader.GetInt64(2);
                        break;
                    case 1:
                        full ??= (reader.GetString(3), reader.GetInt64(4));
                        break;
                }
            }
            if (keys.Count > 0 && await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    existing[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
                }
            }
        }

        if (full is { } f) throw new QueueFullException(f.Queue, f.Max);

        var results = new SubmitResult[n];
        for (var i = 0; i < n; i++)
        {
            if (created[i] is { } id)
            {
                results[i] = new SubmitResult(id, true);
            }
            else if (uniqueKey[i] is { } key && existing.TryGetValue((queue[i], key), out var existingId))
            {
                results[i] = new SubmitResult(existingId, false);
            }
            else if (uniqueKey[i] is not null && !existingIds)
            {
                results[i] = new SubmitResult(0, false);
            }
            else
            {
                throw new InvalidOperationException($"Task {i} of the batch was neither inserted nor found by its unique key; this is a bug in the PostgreSQL driver.");
            }
        }
        return results;
    }

    private static void Validate(IReadOnlyList<NewTask> tasks)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            ArgumentNullException.ThrowIfNull(t, $"tasks[{i}]");
            QueueName.Validate(t.Queue, $"tasks[{i}].queue");
            if (t.MaxAttempts < 1) throw new TaskValidationException($"tasks[{i}].maxAttempts", "must be at least 1");
        }
    }
}
