using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>The commonest submit, one task without a unique key, in one narrow statement: a single-row insert from
/// scalar parameters that declines (inserts nothing) when the task's queue has a backlog limit, which only the general
/// insert checks (<see cref="TaskInserter"/>, which then takes the task). It may raise the wake-up NOTIFY itself.
/// Against the general insert (a lock statement, then a CTE over arrays that also checks unique keys and full queues)
/// it saves the lock statement, the arrays' binding and most of the statement's server time.</summary>
internal sealed class SingleTaskInserter
{
    private readonly PostgresDatabase db;
    private readonly string sql;

    public SingleTaskInserter(PostgresDatabase db)
    {
        this.db = db;
        var tasks = db.Schema.Table("tasks");
        var queues = db.Schema.Table("queues");
        // Same columns, clock and states as the general insert. A NOTIFY in a CTE runs only when the statement reads it,
        // hence the count; it is sent at the implicit transaction's commit, and only when the row was inserted.
        sql = $"""
            with clock as (select coalesce($1::timestamptz, now()) as now),
            inserted as (
                insert into {tasks} (plugin, queue, priority, state, args, attempt, max_attempts, run_at, created_at,
                                     unique_key, tags, timeout_ms, retry, trace_context, owner)
                select $2, $3, $4,
                       case when $13 then 'waiting' when d.due > k.now then 'scheduled' else 'available' end,
                       $5::jsonb, 0, $8, d.due, k.now, null, $12::jsonb, $10, $9::jsonb, $14, $15
                from clock k cross join lateral (select coalesce($6::timestamptz, k.now + $7::interval, k.now) as due) d
                where not exists (select from {queues} q where q.name = $3 and q.max_backlog is not null)
                returning id
            ),
            woken as (
                select pg_notify($11, $3) from inserted where $11::text is not null
            )
            select (select id from inserted), (select count(*) from woken)
            """;
    }

    /// <summary>Whether <paramref name="tasks"/> is one task this statement can take.</summary>
    public static bool Suits(IReadOnlyList<NewTask> tasks) => tasks.Count == 1 && tasks[0].UniqueKey is null;

    /// <summary>Inserts the task in its own implicit transaction and returns its id, or null when its queue has a
    /// backlog limit (nothing was inserted). With <paramref name="notify"/> the statement wakes the task's queue.</summary>
    public async Task<long?> TryInsertAsync(NpgsqlConnection conn, NewTask t, DateTimeOffset? now, bool notify, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = t.Plugin });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = t.Queue });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.Priority });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = t.ArgsJson, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)t.RunAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = t.RunAt is null && t.Delay is { } d ? TaskBounds.ClampDelay(d) : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Interval,
        });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.MaxAttempts });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)StoredJson.Retry(t.Retry) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = t.Timeout is { } timeout ? (long)TaskBounds.ClampTimeout(timeout).TotalMilliseconds : DBNull.Value,
            NpgsqlDbType = NpgsqlDbType.Bigint,
        });
        cmd.Parameters.Add(new NpgsqlParameter { Value = notify ? db.Schema.NotifyChannel : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = StoredJson.Tags(t.Tags), NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = t.Waiting });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)t.TraceContext ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)t.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return reader.IsDBNull(0) ? null : reader.GetInt64(0);
    }
}
