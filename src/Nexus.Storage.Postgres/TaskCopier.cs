using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>
/// The bulk-submit fast path: a batch without unique keys, into queues without a backlog limit, is written with one
/// binary <c>COPY</c> after one small statement that reads the database clock, checks the queues for limits and
/// allocates the batch's ids from the table's sequence. The general insert (<see cref="TaskInserter"/>) spends about
/// 66 µs of server time per row on its checks (unique keys, backlog limits) and on unpacking a dozen arrays; COPY
/// costs the row and its index entries only (docs/benchmarks.md).
/// </summary>
/// <remarks>A backlog limit set on a queue between the check and the COPY (a few milliseconds) does not apply to
/// that batch; the general path locks the limited queues to make its check exact.</remarks>
internal sealed class TaskCopier
{
    private readonly PostgresDatabase db;
    private readonly string prepareSql;
    private readonly string copySql;
    private readonly string prepareKeyedSql;
    private readonly string copyKeyedSql;
    private const string KeyedSavepoint = "nexus_keyed_copy";

    public TaskCopier(PostgresDatabase db)
    {
        this.db = db;
        var tasks = db.Schema.Table("tasks");
        prepareSql = $"""
            with k as (
                select coalesce($1::timestamptz, now()) as now,
                       exists (select 1 from {db.Schema.Table("queues")} where name = any($2) and max_backlog is not null) as limited
            ),
            seq as (select pg_get_serial_sequence('{tasks}', 'id')::regclass as s)
            select k.now, k.limited,
                   case when k.limited then null
                        else array(select nextval(seq.s) from generate_series(1, $3)) end
            from k cross join seq
            """;
        copySql = $"""
            copy {tasks} (id, plugin, queue, priority, state, args, attempt, max_attempts, run_at, created_at, tags, timeout_ms, retry, trace_context, owner)
            from stdin (format binary)
            """;
        // The keyed form (event deliveries): the same, plus the wake NOTIFY, which is transactional and so goes out at
        // the caller's commit. Existing keys are not looked up first (that lookup cost more than the COPY itself): a
        // batch that meets one fails with a unique violation and is undone to a savepoint (TryInsertKeyedAsync).
        prepareKeyedSql = $"""
            with k as (
                select coalesce($1::timestamptz, now()) as now,
                       exists (select 1 from {db.Schema.Table("queues")} where name = any($2) and max_backlog is not null) as limited
            ),
            seq as (select pg_get_serial_sequence('{tasks}', 'id')::regclass as s),
            woken as (select pg_notify($4, $5) from k where not k.limited)
            select k.now, k.limited,
                   case when k.limited then null
                        else array(select nextval(seq.s) from generate_series(1, $3)) end,
                   (select count(*) from woken)
            from k cross join seq
            """;
        copyKeyedSql = $"""
            copy {tasks} (id, plugin, queue, priority, state, args, attempt, max_attempts, run_at, created_at, tags, timeout_ms, retry, trace_context, owner, unique_key)
            from stdin (format binary)
            """;
    }

    /// <summary>Whether a batch whose every task has a unique key, distinct within it (the event dispatcher's
    /// deliveries), may take <see cref="TryInsertKeyedAsync"/>.</summary>
    public bool SuitsKeyed(IReadOnlyList<NewTask> tasks)
    {
        if (db.Options.CopyThreshold == 0 || tasks.Count < db.Options.CopyThreshold) return false;
        var keys = new HashSet<(string, string)>();
        for (var i = 0; i < tasks.Count; i++)
        {
            if (tasks[i].UniqueKey is not { } key || !keys.Add((tasks[i].Queue, key))) return false;
        }
        return true;
    }

    /// <summary>Copies a keyed batch in, inside the caller's transaction, or returns null having written nothing: when
    /// one of the queues has a backlog limit, or when one of the keys exists already (the COPY fails with a unique
    /// violation and the transaction is rolled back to a savepoint taken first). The caller then takes the general
    /// insert, which skips existing keys. Meant for batches whose keys normally do not exist yet (the dispatcher's new
    /// deliveries, under the subscriptions' row locks); the unique index keeps a second task from ever being made.</summary>
    public async Task<IReadOnlyList<SubmitResult>?> TryInsertKeyedAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<NewTask> tasks, DateTimeOffset? now, CancellationToken cancellationToken)
    {
        var n = tasks.Count;
        var queues = tasks.Select(t => t.Queue).Distinct(StringComparer.Ordinal).ToArray();

        DateTime clock;
        long[] ids;
        await using (var prepare = new NpgsqlBatch(conn, tx))
        {
            prepare.BatchCommands.Add(new NpgsqlBatchCommand($"savepoint {KeyedSavepoint}"));
            var cmd = new NpgsqlBatchCommand(prepareKeyedSql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = queues });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = n });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.NotifyChannel });
            // One queue: wake its workers. Several: an empty payload, which listeners read as "look everywhere".
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queues.Length == 1 ? queues[0] : "" });
            prepare.BatchCommands.Add(cmd);
            await using var reader = await prepare.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetBoolean(1)) return null; // the savepoint stays, empty, until the caller's commit
            clock = reader.GetFieldValue<DateTime>(0);
            ids = reader.GetFieldValue<long[]>(2);
        }
        Array.Sort(ids);

        var results = new SubmitResult[n];
        try
        {
            await using var writer = await conn.BeginBinaryImportAsync(copyKeyedSql, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                await WriteRowAsync(writer, tasks[i], ids[i], clock, cancellationToken).ConfigureAwait(false);
                await writer.WriteAsync(tasks[i].UniqueKey!, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                results[i] = new SubmitResult(ids[i], true);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(KeyedSavepoint, cancellationToken).ConfigureAwait(false);
            return null;
        }
        return results;
    }

    /// <summary>Whether <paramref name="tasks"/> may take this path: large enough to gain, and without unique keys
    /// (whose idempotency needs the general path's checks).</summary>
    public bool Suits(IReadOnlyList<NewTask> tasks)
    {
        if (db.Options.CopyThreshold == 0 || tasks.Count < db.Options.CopyThreshold) return false;
        for (var i = 0; i < tasks.Count; i++)
        {
            if (tasks[i].UniqueKey is not null) return false;
        }
        return true;
    }

    /// <summary>Copies the batch in, or returns null without writing anything when one of its queues has a backlog
    /// limit (the caller then takes the general path).</summary>
    public async Task<IReadOnlyList<SubmitResult>?> TryInsertAsync(
        NpgsqlConnection conn, IReadOnlyList<NewTask> tasks, DateTimeOffset? now, CancellationToken cancellationToken)
    {
        var n = tasks.Count;
        var queues = tasks.Select(t => t.Queue).Distinct(StringComparer.Ordinal).ToArray();

        DateTime clock;
        long[] ids;
        await using (var prepare = new NpgsqlCommand(prepareSql, conn))
        {
            prepare.Parameters.Add(new NpgsqlParameter { Value = (object?)now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            prepare.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = queues });
            prepare.Parameters.Add(new NpgsqlParameter<int> { TypedValue = n });
            await using var reader = await prepare.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetBoolean(1)) return null;
            clock = reader.GetFieldValue<DateTime>(0);
            ids = reader.GetFieldValue<long[]>(2);
        }
        // nextval hands out increasing numbers; sorted, the batch keeps its order as the claim's tie-break.
        Array.Sort(ids);

        var results = new SubmitResult[n];
        await using (var writer = await conn.BeginBinaryImportAsync(copySql, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < n; i++)
            {
                await WriteRowAsync(writer, tasks[i], ids[i], clock, cancellationToken).ConfigureAwait(false);
                results[i] = new SubmitResult(ids[i], true);
            }
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>One row of the COPY, in the columns of <c>copySql</c>.</summary>
    private static async Task WriteRowAsync(NpgsqlBinaryImporter writer, NewTask t, long id, DateTime clock, CancellationToken cancellationToken)
    {
        var due = t.RunAt?.UtcDateTime ?? clock + TaskBounds.ClampDelay(t.Delay ?? TimeSpan.Zero);
        await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(t.Plugin, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(t.Queue, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(t.Priority, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(t.Waiting ? "waiting" : due > clock ? "scheduled" : "available", NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(t.ArgsJson, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(0, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(t.MaxAttempts, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(due, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(clock, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync(StoredJson.Tags(t.Tags), NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        if (t.Timeout is { } timeout) await writer.WriteAsync((long)TaskBounds.ClampTimeout(timeout).TotalMilliseconds, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
        else await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        if (StoredJson.Retry(t.Retry) is { } retry) await writer.WriteAsync(retry, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
        else await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        if (t.TraceContext is { } trace) await writer.WriteAsync(trace, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        else await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        if (t.Owner is { } owner) await writer.WriteAsync(owner, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
        else await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
    }
}
