using System.Text;
using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>The task store: the hot paths live in their own classes (insert, claim, complete, leases); reads and the
/// single-task operator actions live here.</summary>
internal sealed class PostgresTaskStore : ITaskStore
{
    private readonly PostgresDatabase db;
    private readonly string tasks;
    private readonly string getSql;
    private readonly string releaseSql;
    private readonly string lockStateSql;
    private readonly string cancelSql;
    private readonly string retrySql;
    private readonly string deleteSql;
    private readonly string countSql;
    private readonly string foldCountsSql;
    private readonly string dropZeroCountsSql;
    private readonly string countAheadSql;

    public PostgresTaskStore(PostgresDatabase db)
    {
        this.db = db;
        tasks = db.Schema.Table("tasks");
        Inserter = new TaskInserter(db);
        Claimer = new TaskClaimer(db);
        Completer = new TaskCompleter(db);
        Leases = new TaskLeases(db);
        Bulk = new PostgresBulkActions(db);
        Vacuum = new TaskVacuum(db);

        // The first $6 ready tasks in the claim's order (TaskClaimer: priority desc, run_at, id; tasks_queue_ready_idx),
        // read in that order and stopped at the cap, then those of them before the position: never more than $6 rows.
        countAheadSql = $"""
            select count(*) from (
                select t.priority, t.run_at, t.id from {tasks} t
                where t.queue = $1 and t.state in ('available', 'scheduled', 'retrying') and t.run_at <= coalesce($2::timestamptz, now())
                order by t.priority desc, t.run_at, t.id
                limit $6) c
            where c.priority > $3 or (c.priority = $3 and (c.run_at < $4 or (c.run_at = $4 and c.id < $5)))
            """;
        getSql = $"select {TaskRows.Columns} from {tasks} t where t.id = $1";
        // Released tasks wake the workers of every node in the same statement, as a submit does.
        releaseSql = $"""
            with released as (
                update {tasks} set state = 'available', run_at = coalesce($2::timestamptz, now())
                where id = any($1) and state = 'waiting'
                returning queue
            ),
            woken as (select pg_notify($3, min(queue)) from released having count(*) > 0)
            select (select count(*) from released) + 0 * (select count(*) from woken)
            """;
        lockStateSql = $"select state, owner, plugin, queue, attempt from {tasks} where id = $1 for update";
        cancelSql = $"""
            update {tasks}
            set cancel_requested = case when state = 'running' then true else cancel_requested end,
                finished_at = case when state = 'running' then finished_at else coalesce($2::timestamptz, now()) end,
                state = case when state = 'running' then state else 'cancelled' end
            where id = $1
            """;
        retrySql = $"""
            with retried as (
                update {tasks}
                set state = 'available',
                    run_at = coalesce($2::timestamptz, now()),
                    finished_at = null,
                    cancel_requested = false,
                    max_attempts = greatest(max_attempts, attempt + 1),
                    args = coalesce($3::jsonb, args)
                where id = $1 and state in ('dead', 'cancelled')
                returning id, owner, plugin, queue, attempt
            )
            select (select count(*) from retried), exists (select 1 from {tasks} where id = $1), r.owner, r.plugin, r.queue, r.attempt
            from (select 1) one left join retried r on true
            """;
        deleteSql = $"""
            with deleted as (
                delete from {tasks} where id = $1 and state <> 'running' returning id
            )
            select (select count(*) from deleted), (select state from {tasks} where id = $1)
            """;
        // Counts are kept by the tasks table's statement triggers (migration 0015): fold the committed deltas into the
        // counts (one session at a time; another folder's turn is simply skipped), then sum counts and what is left.
        var counts = db.Schema.Table("task_counts");
        var deltas = db.Schema.Table("task_count_deltas");
        foldCountsSql = $"""
            with folded as (
                delete from {deltas} where (select pg_try_advisory_xact_lock($1)) returning queue, state, n
            ), summed as (
                select queue, state, sum(n)::bigint as n from folded group by queue, state order by queue, state
            )
            insert into {counts} as c (queue, state, n) select queue, state, n from summed
            on conflict (queue, state) do update set n = c.n + excluded.n
            """;
        dropZeroCountsSql = $"delete from {counts} where n = 0 and (select pg_try_advisory_xact_lock($1))";
        countSql = $"""
            select queue, state, sum(n)::bigint from (
                select queue, state, n from {counts}
                union all
                select queue, state, n from {deltas}
            ) kept
            group by queue, state having sum(n) <> 0 order by queue, state
            """;
    }

    public TaskInserter Inserter { get; }
    public TaskClaimer Claimer { get; }
    public TaskCompleter Completer { get; }
    public TaskLeases Leases { get; }
    public PostgresBulkActions Bulk { get; }

    public TaskVacuum Vacuum { get; }

    public Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken = default) =>
        db.Joined is { } joined ? Inserter.InsertAsync(joined.Transaction, p, cancellationToken) : Inserter.InsertAsync(p, cancellationToken);

    public Task<IReadOnlyList<TaskRecord>> ClaimAsync(ClaimParams p, CancellationToken cancellationToken = default) =>
        Claimer.ClaimAsync(p, cancellationToken);

    public Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken = default) =>
        Completer.CompleteAsync(p, cancellationToken);

    public Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken = default) =>
        Leases.HeartbeatAsync(p, cancellationToken);

    public Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken = default) =>
        Leases.SetProgressAsync(p, cancellationToken);

    public Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken = default) =>
        Leases.RescueAsync(p, cancellationToken);

    public Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken = default) =>
        Bulk.CountMatchingAsync(p, cancellationToken);

    public async Task<long> CountAheadAsync(CountAheadParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        p.Validate();
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(countAheadSql, lease.Connection);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.Queue });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.Now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Priority });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = p.RunAt.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Id });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Cap });
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) =>
        Bulk.RetryManyAsync(p, cancellationToken);

    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) =>
        Bulk.DeleteManyAsync(p, cancellationToken);

    public Task<int> DeleteExpiredAsync(ExpiredTasksParams p, CancellationToken cancellationToken = default) =>
        Bulk.DeleteExpiredAsync(p, cancellationToken);

    public Task<bool> TidyAsync(CancellationToken cancellationToken = default) => Vacuum.RunIfDueAsync(cancellationToken);

    public async Task<int> ReleaseAsync(ReleaseParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Ids.Count == 0) return 0;
        if (p.Ids.Count > ReleaseParams.MaxIds) throw new ArgumentOutOfRangeException(nameof(p), p.Ids.Count, $"At most {ReleaseParams.MaxIds} ids per release.");
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(releaseSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. p.Ids] });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.Now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.NotifyChannel });
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(getSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? TaskRows.Read(reader) : null;
    }

    public async Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, 1000);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        var window = ArgsWindow.Of(query);
        if (window is not null)
        {
            await using var range = new NpgsqlCommand($"select (select max(id) from {tasks}), (select min(id) from {tasks})", conn);
            await using var bounds = await range.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await bounds.ReadAsync(cancellationToken).ConfigureAwait(false);
            window = bounds.IsDBNull(0) ? null : window.Value with { Newest = bounds.GetInt64(0), Oldest = bounds.GetInt64(1) };
        }

        // Only the filters that are set appear in the text, so each combination gets a plan of its own.
        var sql = new StringBuilder($"select {TaskRows.Columns} from {tasks} t where true");
        var parameters = new List<NpgsqlParameter>();
        TaskFilterSql.Append(sql, query.AsFilter(), parameters);
        if (window is { } w)
        {
            // The window as a closed id range, walked down the primary key: with both ends bounded and bitmap scans off
            // (inside this read's implicit transaction) the plan does not hang on statistics. On a table filled since
            // its last ANALYZE the planner took a bitmap scan of every row of the queue instead (107 ms against 15 ms
            // at a million tasks).
            TaskFilterSql.And(sql, "t.id < $?", new NpgsqlParameter<long> { TypedValue = w.Top(query.BeforeId) }, parameters);
            TaskFilterSql.And(sql, "t.id >= $?", new NpgsqlParameter<long> { TypedValue = w.Floor(query.BeforeId) }, parameters);
        }
        else if (query.BeforeId is { } beforeId) TaskFilterSql.And(sql, "t.id < $?", new NpgsqlParameter<long> { TypedValue = beforeId }, parameters);
        parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        sql.Append(" order by t.id desc limit $").Append(parameters.Count);

        await using var cmd = new NpgsqlBatch(conn);
        if (window is not null && lease.Joined is null) cmd.BatchCommands.Add(new NpgsqlBatchCommand("set local enable_bitmapscan = off"));
        var select = new NpgsqlBatchCommand(sql.ToString());
        foreach (var parameter in parameters) select.Parameters.Add(parameter);
        cmd.BatchCommands.Add(select);
        var items = new List<TaskRecord>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(TaskRows.Read(reader));
        }
        return new TaskPage(items, items.Count == limit ? items[^1].Id : window?.Next(query.BeforeId));
    }

    public async Task<CancelOutcome> CancelAsync(TaskActionParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);

        TaskState state;
        OwnedTaskChange? owned = null;
        await using (var read = new NpgsqlCommand(lockStateSql, conn, tx.Transaction))
        {
            read.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Id });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return CancelOutcome.NotFound;
            state = TaskStates.Parse(reader.GetString(0));
            if (!reader.IsDBNull(1))
            {
                owned = new OwnedTaskChange(p.Id, reader.GetString(1), reader.GetString(2), reader.GetString(3), TaskState.Cancelled, reader.GetInt32(4), null, null);
            }
        }
        if (state.IsTerminal()) return CancelOutcome.AlreadyFinished;

        await using (var update = new NpgsqlCommand(cancelSql, conn, tx.Transaction))
        {
            update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Id });
            update.Parameters.Add(TaskLeases.NowParameter(p.Now));
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (owned is not null && state != TaskState.Running) await db.Hooks.RunAsync(db.TransactionFor(lease, tx), [owned], cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return state == TaskState.Running ? CancelOutcome.Requested : CancelOutcome.Cancelled;
    }

    public async Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        RetryOutcome outcome;
        OwnedTaskChange? owned = null;
        await using (var cmd = new NpgsqlCommand(retrySql, conn, tx.Transaction))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Id });
            cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.ArgsJson ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            outcome = reader.GetInt64(0) == 1 ? RetryOutcome.Retried
                : reader.GetBoolean(1) ? RetryOutcome.NotRetryable
                : RetryOutcome.NotFound;
            if (!reader.IsDBNull(2))
            {
                owned = new OwnedTaskChange(p.Id, reader.GetString(2), reader.GetString(3), reader.GetString(4), TaskState.Available, reader.GetInt32(5), null, null);
            }
        }
        if (owned is not null) await db.Hooks.RunAsync(db.TransactionFor(lease, tx), [owned], cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public async Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(deleteSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.GetInt64(0) == 1 ? DeleteOutcome.Deleted
            : reader.IsDBNull(1) ? DeleteOutcome.NotFound
            : DeleteOutcome.Running;
    }

    public async Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(foldCountsSql) { Parameters = { new NpgsqlParameter<long> { TypedValue = db.Schema.CountFoldLockKey } } },
                new NpgsqlBatchCommand(dropZeroCountsSql) { Parameters = { new NpgsqlParameter<long> { TypedValue = db.Schema.CountFoldLockKey } } },
                new NpgsqlBatchCommand(countSql),
            },
        };
        var result = new List<QueueCounts>();
        Dictionary<TaskState, long>? counts = null;
        string? queue = null;
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var q = reader.GetString(0);
            if (q != queue)
            {
                counts = [];
                queue = q;
                result.Add(new QueueCounts(q, counts));
            }
            counts![TaskStates.Parse(reader.GetString(1))] = reader.GetInt64(2);
        }
        return result;
    }
}
