using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>Applies a batch of completions in one statement. Each row is fenced by its lease token and the running
/// state, so a worker that lost its lease (rescued, re-claimed, deleted) changes nothing.</summary>
internal sealed class TaskCompleter
{
    private readonly PostgresDatabase db;
    private readonly string sql;

    public TaskCompleter(PostgresDatabase db)
    {
        this.db = db;
        sql = $"""
            with clock as (select coalesce($1::timestamptz, now()) as now),
            input as (
                select *
                from unnest($2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::interval[], $8::jsonb[])
                     with ordinality as i(id, token, kind, result, error, delay, progress, ord)
            ),
            done as (
                update {db.Schema.Table("tasks")} t
                set state = case i.kind
                        when 'succeeded' then 'succeeded'
                        when 'retry' then 'retrying'
                        when 'dead' then 'dead'
                        when 'cancelled' then 'cancelled'
                        when 'snoozed' then 'scheduled'
                        else 'available' end,
                    result = case when i.kind = 'succeeded' then i.result else t.result end,
                    run_at = case when i.kind in ('retry', 'snoozed') then k.now + i.delay
                                  when i.kind = 'released' then k.now
                                  else t.run_at end,
                    finished_at = case when i.kind in ('succeeded', 'dead', 'cancelled') then k.now end,
                    attempt = case when i.kind in ('snoozed', 'released') then greatest(t.attempt - 1, 0) else t.attempt end,
                    errors = case when i.error is null then t.errors else t.errors || jsonb_build_array(i.error) end,
                    progress = coalesce(i.progress, t.progress),
                    lease_token = null,
                    lease_expires_at = null
                from input i cross join clock k
                where t.id = i.id and t.lease_token = i.token and t.state = 'running'
                returning i.ord, t.owner, t.plugin, t.queue, t.attempt, t.state
            )
            select ord, owner, plugin, queue, attempt, state from done
            """;
    }

    public async Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        var n = p.Completions.Count;
        if (n == 0) return [];

        var ids = new long[n];
        var tokens = new Guid[n];
        var kinds = new string[n];
        var results = new string?[n];
        var errors = new string?[n];
        var delays = new TimeSpan[n];
        var progress = new string?[n];
        // Rows are locked in id order, as the heartbeat locks them: two batches touching the same rows cannot deadlock.
        var order = TaskLeases.ByIdOrder(n, i => p.Completions[i].Id);
        for (var j = 0; j < n; j++)
        {
            var c = p.Completions[order[j]];
            ids[j] = c.Id;
            tokens[j] = c.LeaseToken;
            kinds[j] = Kind(c.Kind);
            results[j] = c.Kind == CompletionKind.Succeeded ? c.ResultJson : null;
            errors[j] = c.Error is null || c.Kind is CompletionKind.Succeeded or CompletionKind.Snoozed or CompletionKind.Released
                ? null
                : StoredJson.Error(c.Error);
            delays[j] = TaskBounds.ClampDelay(c.Delay);
            progress[j] = c.Progress is null ? null : StoredJson.Progress(c.Progress);
        }

        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        // Alone, the statement is its own transaction (one round trip). With hooks, they join it: an explicit one — but
        // only when some task of the batch may have an owner (hooks see owned tasks only; see TaskCompletion.Unowned).
        var hooked = !db.Hooks.IsEmpty && !AllUnowned(p.Completions);
        await using var tx = hooked ? await lease.BeginAsync(cancellationToken).ConfigureAwait(false) : default;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)p.Now?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = tokens });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kinds });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = results, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = errors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan[]> { TypedValue = delays, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = progress, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });

        var accepted = new bool[n];
        var owned = new List<(int Index, OwnedTaskChange Change)>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var j = (int)reader.GetInt64(0) - 1;
                var i = order[j];
                accepted[i] = true;
                if (reader.IsDBNull(1)) continue;
                owned.Add((i, new OwnedTaskChange(ids[j], reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    TaskStates.Parse(reader.GetString(5)), reader.GetInt32(4), results[j], errors[j] is null ? null : p.Completions[i].Error)));
            }
        }
        if (owned.Count > 0 && !db.Hooks.IsEmpty)
        {
            owned.Sort((a, b) => a.Index.CompareTo(b.Index));
            var changes = owned.Select(o => o.Change).ToList();
            if (hooked)
            {
                await db.Hooks.RunAsync(db.TransactionFor(lease, tx), changes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // A caller marked an owned task unowned (owners are set only at insert, so this is a caller's bug): its
                // completion is stored; its hooks still run, in their own transaction, rather than never.
                await using var late = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
                await db.Hooks.RunAsync(db.TransactionFor(lease, late), changes, cancellationToken).ConfigureAwait(false);
                await late.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return accepted;
    }

    private static bool AllUnowned(IReadOnlyList<TaskCompletion> completions)
    {
        foreach (var c in completions)
        {
            if (!c.Unowned) return false;
        }
        return true;
    }

    private static string Kind(CompletionKind kind) => kind switch
    {
        CompletionKind.Succeeded => "succeeded",
        CompletionKind.Retry => "retry",
        CompletionKind.Dead => "dead",
        CompletionKind.Cancelled => "cancelled",
        CompletionKind.Snoozed => "snoozed",
        CompletionKind.Released => "released",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown completion kind."),
    };
}
