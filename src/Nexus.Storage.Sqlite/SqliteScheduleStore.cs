using Microsoft.Data.Sqlite;
using Nexus.Scheduling;

namespace Nexus.Storage.Sqlite;

/// <summary>Schedules in <c>nexus_schedules</c>, fires in <c>nexus_schedule_fires</c> (primary key schedule and slot).
/// A fire batch runs in the unit of work that inserted its tasks (the writer's <c>BEGIN IMMEDIATE</c> transaction): the
/// cursor compare, the fire rows and the tasks commit together, and across processes SQLite's write lock orders the
/// batches, so the second sees the first's cursor (or conflicting rows) and rolls back. Built over a session: the
/// store's own (each call one write) or a unit of work's.</summary>
internal sealed class SqliteScheduleStore(SqliteSession session) : IScheduleStore
{
    private const string Columns = "name, cron, time_zone, target_kind, target, misfire, catch_up_ms, overlap, description, paused, pause_reason, " +
        "resume_at, cursor_at, next_fire_at, buffered_slot, last_task_id, created_at, updated_at";

    public Task<ScheduleRecord> UpsertAsync(UpsertScheduleParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                INSERT INTO nexus_schedules (name, cron, time_zone, target_kind, target, misfire, catch_up_ms, overlap, description,
                    cursor_at, next_fire_at, created_at, updated_at)
                VALUES ($name, $cron, $tz, $kind, $target, $misfire, $catchUp, $overlap, $description, $cursor, $next, $now, $now)
                ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, target_kind = excluded.target_kind,
                    target = excluded.target, misfire = excluded.misfire, catch_up_ms = excluded.catch_up_ms, overlap = excluded.overlap,
                    description = excluded.description, cursor_at = excluded.cursor_at, next_fire_at = excluded.next_fire_at,
                    buffered_slot = NULL, updated_at = excluded.updated_at
                RETURNING {Columns}
                """);
            command.Add("$name", p.Name);
            command.Add("$cron", p.Cron);
            command.Add("$tz", p.TimeZone);
            command.Add("$kind", p.TargetKind);
            command.Add("$target", p.TargetJson);
            command.Add("$misfire", p.Misfire.Name());
            command.Add("$catchUp", (long)p.CatchUpWindow.TotalMilliseconds);
            command.Add("$overlap", p.Overlap.Name());
            command.Add("$description", p.Description);
            command.Add("$cursor", p.Cursor.ToUnixTimeMilliseconds());
            command.Add("$next", p.NextFireAt?.ToUnixTimeMilliseconds());
            command.Add("$now", session.NowMs(p.Now));
            return (await ReadAllAsync(command, cancellationToken))[0];
        }, cancellationToken);
    }

    public Task<ScheduleRecord?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {Columns} FROM nexus_schedules WHERE name = $name";
            command.Add("$name", name);
            return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<ScheduleRecord>> ListAsync(ListSchedulesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.ReadAsync<IReadOnlyList<ScheduleRecord>>(async command =>
        {
            command.CommandText = $"SELECT {Columns} FROM nexus_schedules WHERE $after IS NULL OR name > $after ORDER BY name LIMIT $limit";
            command.Add("$after", p.After);
            command.Add("$limit", p.Limit);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        session.WriteAsync(async tx =>
        {
            await using var fires = SqliteRows.Command(tx, "DELETE FROM nexus_schedule_fires WHERE schedule = $name");
            fires.Add("$name", name);
            await fires.ExecuteNonQueryAsync(cancellationToken);
            await using var command = SqliteRows.Command(tx, "DELETE FROM nexus_schedules WHERE name = $name");
            command.Add("$name", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<ScheduleRecord?> SetPausedAsync(PauseScheduleParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                UPDATE nexus_schedules SET paused = $paused, pause_reason = $reason, resume_at = $resume, updated_at = $now
                WHERE name = $name RETURNING {Columns}
                """);
            command.Add("$name", p.Name);
            command.Add("$paused", p.Paused ? 1 : 0);
            command.Add("$reason", p.Paused ? p.Reason : null);
            command.Add("$resume", p.Paused ? p.ResumeAt?.ToUnixTimeMilliseconds() : null);
            command.Add("$now", session.NowMs(p.Now));
            return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
        }, cancellationToken);
    }

    public async Task<int> ResumeDueAsync(DateTimeOffset? now, CancellationToken cancellationToken = default)
    {
        // Every node's scheduler asks each tick, and almost always nothing is due: a read says so without taking the
        // single write lock that inserts, claims and completions wait on.
        var any = await session.ReadAsync(async command =>
        {
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM nexus_schedules WHERE paused = 1 AND resume_at IS NOT NULL AND resume_at <= $now)";
            command.Add("$now", session.NowMs(now));
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }, cancellationToken).ConfigureAwait(false);
        if (!any) return 0;
        return await session.WriteAsync(async tx =>
        {
            await using var command = SqliteRows.Command(tx, """
                UPDATE nexus_schedules SET paused = 0, pause_reason = NULL, resume_at = NULL, updated_at = $now
                WHERE paused = 1 AND resume_at IS NOT NULL AND resume_at <= $now
                """);
            command.Add("$now", session.NowMs(now));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<ScheduleRecord>> DueAsync(DueSchedulesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.ReadAsync<IReadOnlyList<ScheduleRecord>>(async command =>
        {
            command.CommandText = $"""
                SELECT {Columns} FROM nexus_schedules
                WHERE paused = 0 AND ((next_fire_at IS NOT NULL AND next_fire_at <= $now) OR buffered_slot IS NOT NULL)
                ORDER BY coalesce(buffered_slot, next_fire_at) LIMIT $max
                """;
            command.Add("$now", session.NowMs(p.Now));
            command.Add("$max", p.Max);
            return await ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
    }

    public Task FireAsync(ScheduleFireBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return session.WriteAsync(async tx =>
        {
            var now = session.NowMs(batch.Now);
            foreach (var row in batch.Rows)
            {
                await using var command = SqliteRows.Command(tx, row.FromBuffer
                    ? """
                      UPDATE nexus_schedule_fires SET outcome = $outcome, task_id = $task, detail = $detail, node = $node, decided_at = $now
                      WHERE schedule = $name AND slot = $slot AND outcome = 'buffered'
                      """
                    : """
                      INSERT INTO nexus_schedule_fires (schedule, slot, outcome, task_id, count, detail, node, decided_at)
                      VALUES ($name, $slot, $outcome, $task, $count, $detail, $node, $now)
                      ON CONFLICT (schedule, slot) DO NOTHING
                      """);
                command.Add("$name", batch.Name);
                command.Add("$slot", row.Slot.ToUnixTimeMilliseconds());
                command.Add("$outcome", row.Outcome.Name());
                command.Add("$task", row.TaskId);
                command.Add("$count", row.Count);
                command.Add("$detail", row.Detail);
                command.Add("$node", batch.Node);
                command.Add("$now", now);
                // Throwing rolls back this write (and, inside a unit of work, the unit's tasks with it).
                if (await command.ExecuteNonQueryAsync(cancellationToken) != 1) throw new SlotTakenException(batch.Name, row.Slot);
            }
            var buffered = batch.Rows.LastOrDefault(r => r.Outcome == FireOutcome.Buffered);
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_schedules
                SET cursor_at = $cursor, next_fire_at = $next,
                    buffered_slot = CASE WHEN $buffered IS NOT NULL THEN $buffered WHEN $clearBuffer = 1 THEN NULL ELSE buffered_slot END,
                    last_task_id = coalesce($lastTask, last_task_id)
                WHERE name = $name AND cursor_at = $expected
                """);
            update.Add("$name", batch.Name);
            update.Add("$expected", batch.ExpectedCursor.ToUnixTimeMilliseconds());
            update.Add("$cursor", batch.NewCursor.ToUnixTimeMilliseconds());
            update.Add("$next", batch.NextFireAt?.ToUnixTimeMilliseconds());
            update.Add("$buffered", buffered?.Slot.ToUnixTimeMilliseconds());
            update.Add("$clearBuffer", batch.Rows.Any(r => r.FromBuffer) ? 1 : 0);
            update.Add("$lastTask", batch.Rows.LastOrDefault(r => r.TaskId is not null)?.TaskId);
            if (await update.ExecuteNonQueryAsync(cancellationToken) != 1) throw new SlotTakenException(batch.Name, batch.NewCursor);
            return 0;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(ScheduleHistoryParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return session.ReadAsync(command => HistoryAsync(command, p, cancellationToken), cancellationToken);
    }

    private static async Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(SqliteCommand command, ScheduleHistoryParams p, CancellationToken cancellationToken)
    {
        command.CommandText = """
            SELECT schedule, slot, outcome, task_id, count, detail, node, decided_at FROM nexus_schedule_fires
            WHERE schedule = $name AND ($before IS NULL OR slot < $before) ORDER BY slot DESC LIMIT $limit
            """;
        command.Add("$name", p.Name);
        command.Add("$before", p.Before?.ToUnixTimeMilliseconds());
        command.Add("$limit", p.Limit);
        var list = new List<ScheduleFireRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ScheduleFireRecord
            {
                Schedule = r.GetString(0),
                Slot = SqliteRows.Time(r.GetInt64(1)),
                Outcome = ScheduleNames.ParseOutcome(r.GetString(2)) ?? FireOutcome.Failed,
                TaskId = r.IsDBNull(3) ? null : r.GetInt64(3),
                Count = r.GetInt32(4),
                Detail = r.IsDBNull(5) ? null : r.GetString(5),
                Node = r.GetString(6),
                DecidedAt = SqliteRows.Time(r.GetInt64(7)),
            });
        }
        return list;
    }

    private static async Task<List<ScheduleRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<ScheduleRecord>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ScheduleRecord
            {
                Name = r.GetString(0),
                Cron = r.GetString(1),
                TimeZone = r.GetString(2),
                TargetKind = r.GetString(3),
                TargetJson = r.GetString(4),
                Misfire = ScheduleNames.ParseMisfire(r.GetString(5)) ?? MisfirePolicy.FireOnce,
                CatchUpWindow = TimeSpan.FromMilliseconds(r.GetInt64(6)),
                Overlap = ScheduleNames.ParseOverlap(r.GetString(7)) ?? OverlapPolicy.AllowAll,
                Description = r.IsDBNull(8) ? null : r.GetString(8),
                Paused = r.GetInt64(9) != 0,
                PauseReason = r.IsDBNull(10) ? null : r.GetString(10),
                ResumeAt = r.IsDBNull(11) ? null : SqliteRows.Time(r.GetInt64(11)),
                Cursor = SqliteRows.Time(r.GetInt64(12)),
                NextFireAt = r.IsDBNull(13) ? null : SqliteRows.Time(r.GetInt64(13)),
                BufferedSlot = r.IsDBNull(14) ? null : SqliteRows.Time(r.GetInt64(14)),
                LastTaskId = r.IsDBNull(15) ? null : r.GetInt64(15),
                CreatedAt = SqliteRows.Time(r.GetInt64(16)),
                UpdatedAt = SqliteRows.Time(r.GetInt64(17)),
            });
        }
        return list;
    }
}
