using System.Text;
using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>Bulk operator actions (retry or delete many tasks matching a filter): one statement each, oldest first.
/// Rows are picked with <c>FOR UPDATE SKIP LOCKED</c>, so a row a worker is completing at that moment is left for
/// the next call instead of waited for. Retried owned tasks go to the store's hooks; owned tasks are never
/// bulk-deleted (they go with their owner).</summary>
internal sealed class PostgresBulkActions(PostgresDatabase db)
{
    private readonly string tasks = db.Schema.Table("tasks");

    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        var parameters = new List<NpgsqlParameter>();
        var picked = Pick(p, "t.state in ('dead', 'cancelled')", parameters);
        parameters.Add(TaskLeases.NowParameter(p.Now));
        var sql = $"""
            with picked as ({picked})
            update {tasks} t
            set state = 'available',
                run_at = coalesce(${parameters.Count}::timestamptz, now()),
                finished_at = null,
                cancel_requested = false,
                max_attempts = greatest(t.max_attempts, t.attempt + 1)
            from picked where t.id = picked.id
            returning t.id, t.owner, t.plugin, t.queue, t.attempt
            """;
        return RetryAsync(sql, parameters, cancellationToken);
    }

    private async Task<int> RetryAsync(string sql, List<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        var retried = 0;
        var owned = new List<OwnedTaskChange>();
        await using (var cmd = new NpgsqlCommand(sql, lease.Connection, tx.Transaction))
        {
            foreach (var parameter in parameters) cmd.Parameters.Add(parameter);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                retried++;
                if (reader.IsDBNull(1)) continue;
                owned.Add(new OwnedTaskChange(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), TaskState.Available, reader.GetInt32(4), null, null));
            }
        }
        await db.Hooks.RunAsync(db.TransactionFor(lease, tx), owned, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return retried;
    }

    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        var parameters = new List<NpgsqlParameter>();
        // Tasks a workflow run owns go with their run; a delivery's key link (DeliveryOwner) owns nothing.
        var picked = Pick(p, "t.state <> 'running' and (t.owner is null or t.owner like 'event:%')", parameters);
        return ExecuteAsync($"with picked as ({picked}) delete from {tasks} t using picked where t.id = picked.id", parameters, cancellationToken);
    }

    /// <summary>Retention's delete, queue by queue on the finished rows' (queue, state, finished_at) index: the queues
    /// with finished tasks come from a skip scan of that index (one descent per queue), and each delete reads only the rows it removes, so a pass
    /// with nothing to delete costs a few index pages instead of a walk of the whole table.</summary>
    public async Task<int> DeleteExpiredAsync(ExpiredTasksParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var queues = new List<string>();
        await using (var list = new NpgsqlCommand($"""
            with recursive q as (
                select min(queue) as queue from {tasks} where finished_at is not null
                union all
                select (select min(t.queue) from {tasks} t where t.queue > q.queue and t.finished_at is not null) from q where q.queue is not null
            )
            select queue from q where queue is not null
            """, lease.Connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) queues.Add(reader.GetString(0));
        }
        var deleted = 0;
        foreach (var queue in queues)
        {
            if (deleted >= p.Max) break;
            await using var cmd = new NpgsqlCommand($"""
                with picked as (
                    select t.id from {tasks} t
                    where t.queue = $1 and t.state = $2 and t.finished_at < $3
                      and (t.owner is null or t.owner like 'event:%')
                    order by t.finished_at
                    limit $4
                    for update of t skip locked
                )
                delete from {tasks} t using picked where t.id = picked.id
                """, lease.Connection);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = queue });
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.State.ToName() });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = p.FinishedBefore.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Max - deleted });
            deleted += await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>Counts the matching tasks up to the cap: the inner limit stops the scan there.</summary>
    public async Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        var parameters = new List<NpgsqlParameter>();
        var sql = new StringBuilder($"select count(*) from (select 1 from {tasks} t where true");
        TaskFilterSql.Append(sql, p.Filter, parameters);
        if (p.States is { } states)
        {
            TaskFilterSql.And(sql, "t.state = any($?)", new NpgsqlParameter<string[]> { TypedValue = [.. states.Select(s => s.ToName())] }, parameters);
        }
        parameters.Add(new NpgsqlParameter<long> { TypedValue = p.Cap });
        sql.Append(" limit $").Append(parameters.Count).Append(") c");
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql.ToString(), conn);
        foreach (var parameter in parameters) cmd.Parameters.Add(parameter);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The select of the ids to touch: constant fragments, every value a parameter.</summary>
    private string Pick(BulkTaskParams p, string stateRule, List<NpgsqlParameter> parameters)
    {
        var f = p.Filter;
        var sql = new StringBuilder($"select t.id from {tasks} t where ").Append(stateRule);
        TaskFilterSql.Append(sql, f, parameters);
        parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Max });
        sql.Append(" order by t.id limit $").Append(parameters.Count).Append(" for update of t skip locked");
        return sql.ToString();
    }

    private async Task<int> ExecuteAsync(string sql, List<NpgsqlParameter> parameters, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var parameter in parameters) cmd.Parameters.Add(parameter);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
