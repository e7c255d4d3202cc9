using Npgsql;
using NpgsqlTypes;
using Nexus.Scheduling;

namespace Nexus.Storage.Postgres;

/// <summary>Schedules in the schema's <c>schedules</c> table, fires in <c>schedule_fires</c> (primary key schedule and
/// slot). A fire batch runs in the unit of work that inserted its tasks: the fire rows (<c>on conflict do nothing</c>, so
/// a row another node committed first shows as zero rows, and one it has not committed yet waits for it) and the cursor
/// move compared with the cursor the node read. Any miss throws, and the unit of work rolls back with the tasks. Built
/// over a <see cref="PostgresDatabase"/> that is either the store's (each call its own connection) or joined to a unit of work.</summary>
internal sealed class PostgresScheduleStore : IScheduleStore
{
    private const string Columns = "name, cron, time_zone, target_kind, target::text, misfire, catch_up, overlap, description, paused, pause_reason, " +
        "resume_at, cursor_at, next_fire_at, buffered_slot, last_task_id, created_at, updated_at";

    private readonly PostgresDatabase db;
    private readonly string upsertSql, getSql, listSql, deleteSql, pauseSql, resumeDueSql, dueSql, insertFireSql, fireBufferedSql, advanceSql, historySql;

    public PostgresScheduleStore(PostgresDatabase db)
    {
        this.db = db;
        var schedules = db.Schema.Table("schedules");
        var fires = db.Schema.Table("schedule_fires");
        upsertSql = $"""
            insert into {schedules} (name, cron, time_zone, target_kind, target, misfire, catch_up, overlap, description,
                cursor_at, next_fire_at, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::timestamptz, now()), coalesce($12::timestamptz, now()))
            on conflict (name) do update set cron = excluded.cron, time_zone = excluded.time_zone, target_kind = excluded.target_kind,
                target = excluded.target, misfire = excluded.misfire, catch_up = excluded.catch_up, overlap = excluded.overlap,
                description = excluded.description, cursor_at = excluded.cursor_at, next_fire_at = excluded.next_fire_at,
                buffered_slot = null, updated_at = excluded.updated_at
            returning {Columns}
            """;
        getSql = $"select {Columns} from {schedules} where name = $1";
        listSql = $"select {Columns} from {schedules} where $1::text is null or name > $1 order by name limit $2";
        deleteSql = $"with f as (delete from {fires} where schedule = $1) delete from {schedules} where name = $1";
        pauseSql = $"""
            update {schedules} set paused = $2, pause_reason = $3, resume_at = $4, updated_at = coalesce($5::timestamptz, now())
            where name = $1 returning {Columns}
            """;
        resumeDueSql = $"""
            update {schedules} set paused = false, pause_reason = null, resume_at = null, updated_at = coalesce($1::timestamptz, now())
            where paused and resume_at is not null and resume_at <= coalesce($1::timestamptz, now())
            """;
        dueSql = $"""
            select {Columns} from {schedules}
            where not paused and ((next_fire_at is not null and next_fire_at <= coalesce($1::timestamptz, now())) or buffered_slot is not null)
            order by coalesce(buffered_slot, next_fire_at) limit $2
            """;
        insertFireSql = $"""
            insert into {fires} (schedule, slot, outcome, task_id, count, detail, node, decided_at)
            values ($1, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz, now()))
            on conflict (schedule, slot) do nothing
            """;
        fireBufferedSql = $"""
            update {fires} set outcome = $3, task_id = $4, detail = $6, node = $7, decided_at = coalesce($8::timestamptz, now())
            where schedule = $1 and slot = $2 and outcome = 'buffered' and $5::int is not null
            """;
        advanceSql = $"""
            update {schedules}
            set cursor_at = $3, next_fire_at = $4,
                buffered_slot = case when $5::timestamptz is not null then $5 when $6 then null else buffered_slot end,
                last_task_id = coalesce($7, last_task_id)
            where name = $1 and cursor_at = $2
            """;
        historySql = $"""
            select schedule, slot, outcome, task_id, count, detail, node, decided_at from {fires}
            where schedule = $1 and ($2::timestamptz is null or slot < $2) order by slot desc limit $3
            """;
    }

    public async Task<ScheduleRecord> UpsertAsync(UpsertScheduleParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(upsertSql, conn);
        cmd.Parameters.Add(Text(p.Name));
        cmd.Parameters.Add(Text(p.Cron));
        cmd.Parameters.Add(Text(p.TimeZone));
        cmd.Parameters.Add(Text(p.TargetKind));
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = p.TargetJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(Text(p.Misfire.Name()));
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = p.CatchUpWindow, NpgsqlDbType = NpgsqlDbType.Interval });
        cmd.Parameters.Add(Text(p.Overlap.Name()));
        cmd.Parameters.Add(Text(p.Description));
        cmd.Parameters.Add(Time(p.Cursor));
        cmd.Parameters.Add(Time(p.NextFireAt));
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        return (await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<ScheduleRecord?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(getSql, conn);
        cmd.Parameters.Add(Text(name));
        return (await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ScheduleRecord>> ListAsync(ListSchedulesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(listSql, conn);
        cmd.Parameters.Add(Text(p.After));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Limit });
        return await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(deleteSql, conn);
        cmd.Parameters.Add(Text(name));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<ScheduleRecord?> SetPausedAsync(PauseScheduleParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(pauseSql, conn);
        cmd.Parameters.Add(Text(p.Name));
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = p.Paused });
        cmd.Parameters.Add(Text(p.Paused ? p.Reason : null));
        cmd.Parameters.Add(Time(p.Paused ? p.ResumeAt : null));
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        return (await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    public async Task<int> ResumeDueAsync(DateTimeOffset? now, CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(resumeDueSql, conn);
        cmd.Parameters.Add(TaskLeases.NowParameter(now));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScheduleRecord>> DueAsync(DueSchedulesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(dueSql, conn);
        cmd.Parameters.Add(TaskLeases.NowParameter(p.Now));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Max });
        return await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task FireAsync(ScheduleFireBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var tx = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in batch.Rows)
        {
            // A row another node committed first shows as zero rows; one it has not committed yet makes this wait for it.
            await using var cmd = new NpgsqlCommand(row.FromBuffer ? fireBufferedSql : insertFireSql, conn, tx.Transaction);
            cmd.Parameters.Add(Text(batch.Name));
            cmd.Parameters.Add(Time(row.Slot));
            cmd.Parameters.Add(Text(row.Outcome.Name()));
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)row.TaskId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = row.Count });
            cmd.Parameters.Add(Text(row.Detail));
            cmd.Parameters.Add(Text(batch.Node));
            cmd.Parameters.Add(TaskLeases.NowParameter(batch.Now));
            if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1) throw new SlotTakenException(batch.Name, row.Slot);
        }
        var buffered = batch.Rows.LastOrDefault(r => r.Outcome == FireOutcome.Buffered);
        await using (var advance = new NpgsqlCommand(advanceSql, conn, tx.Transaction))
        {
            advance.Parameters.Add(Text(batch.Name));
            advance.Parameters.Add(Time(batch.ExpectedCursor));
            advance.Parameters.Add(Time(batch.NewCursor));
            advance.Parameters.Add(Time(batch.NextFireAt));
            advance.Parameters.Add(Time(buffered?.Slot));
            advance.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = batch.Rows.Any(r => r.FromBuffer) });
            var lastTask = batch.Rows.LastOrDefault(r => r.TaskId is not null)?.TaskId;
            advance.Parameters.Add(new NpgsqlParameter { Value = (object?)lastTask ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            if (await advance.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1) throw new SlotTakenException(batch.Name, batch.NewCursor);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(ScheduleHistoryParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        await using var cmd = new NpgsqlCommand(historySql, conn);
        cmd.Parameters.Add(Text(p.Name));
        cmd.Parameters.Add(Time(p.Before));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.Limit });
        var list = new List<ScheduleFireRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ScheduleFireRecord
            {
                Schedule = r.GetString(0),
                Slot = At(r.GetDateTime(1)),
                Outcome = ScheduleNames.ParseOutcome(r.GetString(2)) ?? FireOutcome.Failed,
                TaskId = r.IsDBNull(3) ? null : r.GetInt64(3),
                Count = r.GetInt32(4),
                Detail = r.IsDBNull(5) ? null : r.GetString(5),
                Node = r.GetString(6),
                DecidedAt = At(r.GetDateTime(7)),
            });
        }
        return list;
    }

    private static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) => new() { Value = (object?)value?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static DateTimeOffset At(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static async Task<List<ScheduleRecord>> ReadAllAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        var list = new List<ScheduleRecord>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new ScheduleRecord
            {
                Name = r.GetString(0),
                Cron = r.GetString(1),
                TimeZone = r.GetString(2),
                TargetKind = r.GetString(3),
                TargetJson = r.GetString(4),
                Misfire = ScheduleNames.ParseMisfire(r.GetString(5)) ?? MisfirePolicy.FireOnce,
                CatchUpWindow = r.GetFieldValue<TimeSpan>(6),
                Overlap = ScheduleNames.ParseOverlap(r.GetString(7)) ?? OverlapPolicy.AllowAll,
                Description = r.IsDBNull(8) ? null : r.GetString(8),
                Paused = r.GetBoolean(9),
                PauseReason = r.IsDBNull(10) ? null : r.GetString(10),
                ResumeAt = r.IsDBNull(11) ? null : At(r.GetDateTime(11)),
                Cursor = At(r.GetDateTime(12)),
                NextFireAt = r.IsDBNull(13) ? null : At(r.GetDateTime(13)),
                BufferedSlot = r.IsDBNull(14) ? null : At(r.GetDateTime(14)),
                LastTaskId = r.IsDBNull(15) ? null : r.GetInt64(15),
                CreatedAt = At(r.GetDateTime(16)),
                UpdatedAt = At(r.GetDateTime(17)),
            });
        }
        return list;
    }
}
