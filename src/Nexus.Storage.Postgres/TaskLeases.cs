using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>What keeps a lease honest: heartbeats that extend it, progress fenced by it, and the rescue of tasks
/// whose lease ran out.</summary>
internal sealed class TaskLeases
{
    private readonly PostgresDatabase db;
    private readonly string heartbeatSql;
    private readonly string progressSql;
    private readonly string expiredSql;
    private readonly string rescueSql;

    public TaskLeases(PostgresDatabase db)
    {
        this.db = db;
        var tasks = db.Schema.Table("tasks");
        heartbeatSql = $"""
            with input as (
                select * from unnest($2::bigint[], $3::uuid[]) with ordinality as i(id, token, ord)
            ),
            held as (
                update {tasks} t
                set lease_expires_at = coalesce($1::timestamptz, now()) + $4
                from input i
                where t.id = i.id and t.lease_token = i.token and t.state = 'running'
                returning i.ord, t.cancel_requested
            )
            select ord, cancel_requested from held
            """;
        progressSql = $"update {tasks} set progress = $3 where id = $1 and lease_token = $2 and state = 'running'";
        expiredSql = $"""
            with clock as (select coalesce($1::timestamptz, now()) as now)
            select t.id, t.attempt, t.max_attempts, t.leased_by, k.now, t.owner, t.plugin, t.queue
            from {tasks} t cross join clock k
            where t.state = 'running' and t.lease_expires_at < k.now
            order by t.lease_expires_at
            limit $2
            for update of t skip locked
            """;
        rescueSql = $"""
            update {tasks} t
            set state = case when i.dead then 'dead' else 'retrying' end,
                run_at = case when i.dead then t.run_at else $1 end,
                finished_at = case when i.dead then $1 end,
                errors = t.errors || jsonb_build_array(i.error),
                lease_token = null,
                lease_expires_at = null
            from unnest($2::bigint[], $3::jsonb[], $4::boolean[]) as i(id, error, dead)
            where t.id = i.id and t.state = 'running'
            """;
    }

    public async Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        var n = p.Leases.Count;
        if (n == 0) return [];
        var ids = new long[n];
        var tokens = new Guid[n];
        // Rows are locked in id order, as completion batches lock them: the two cannot deadlock on shared rows.
        var order = ByIdOrder(n, i => p.Leases[i].Id);
        for (var j = 0; j < n; j++)
        {
            ids[j] = p.Leases[order[j]].Id;
            tokens[j] = p.Leases[order[j]].LeaseToken;
        }

        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(heartbeatSql, conn);
        cmd.Parameters.Add(NowParameter(p.Now));
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = tokens });
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = p.LeaseDuration, NpgsqlDbType = NpgsqlDbType.Interval });

        var statuses = new LeaseStatus[n];
        for (var i = 0; i < n; i++) statuses[i] = new LeaseStatus(p.Leases[i].Id, false, false);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var j = (int)(reader.GetInt64(0) - 1);
            statuses[order[j]] = new LeaseStatus(ids[j], true, reader.GetBoolean(1));
        }
        return statuses;
    }

    /// <summary>The positions 0..n-1 sorted by the id at each, so that batch statements walk, and lock, rows
    /// in one global order.</summary>
    internal static int[] ByIdOrder(int n, Func<int, long> idAt)
    {
        var order = new int[n];
        var keys = new long[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            keys[i] = idAt(i);
        }
        Array.Sort(keys, order);
        return order;
    }

    public async Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(progressSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Id });
        cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = p.LeaseToken });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = StoredJson.Progress(p.Progress), NpgsqlDbType = NpgsqlDbType.Jsonb });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Two statements in one short transaction: lock the expired rows (skipping ones another rescuer holds),
    /// then update them with errors built by <see cref="StoredJson.LeaseExpired"/> at the database's time.</summary>
    public async Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Max <= 0) return new RescueResult(0, 0);

        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);

        var ids = new List<long>();
        var errors = new List<string>();
        var dead = new List<bool>();
        var owned = new List<OwnedTaskChange>();
        DateTimeOffset now = default;
        await using (var select = new NpgsqlCommand(expiredSql, conn, tx.Transaction))
        {
            select.Parameters.Add(NowParameter(p.Now));
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Max });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var attempt = reader.GetInt32(1);
                now = reader.GetFieldValue<DateTimeOffset>(4);
                var id = reader.GetInt64(0);
                var isDead = attempt >= reader.GetInt32(2);
                var error = StoredJson.LeaseExpired(attempt, now, reader.IsDBNull(3) ? null : reader.GetString(3));
                ids.Add(id);
                dead.Add(isDead);
                errors.Add(StoredJson.Error(error));
                if (!reader.IsDBNull(5))
                {
                    owned.Add(new OwnedTaskChange(id, reader.GetString(5), reader.GetString(6), reader.GetString(7), isDead ? TaskState.Dead : TaskState.Retrying, attempt, null, error));
                }
            }
        }
        if (ids.Count == 0) return new RescueResult(0, 0);

        await using (var update = new NpgsqlCommand(rescueSql, conn, tx.Transaction))
        {
            update.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            update.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. ids] });
            update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. errors], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            update.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. dead] });
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await db.Hooks.RunAsync(db.TransactionFor(lease, tx), owned, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);

        var deadIds = ids.Where((_, i) => dead[i]).ToList();
        return new RescueResult(ids.Count - deadIds.Count, deadIds.Count) { DeadIds = deadIds };
    }

    internal static NpgsqlParameter NowParameter(DateTimeOffset? now) =>
        new() { Value = (object?)now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
