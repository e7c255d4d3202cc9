using System.Text;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Reads and operator actions on single tasks: off the hot path, kept apart from it.</summary>
internal sealed class SqliteTaskQueries(SqliteSession session)
{
    public Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        session.ReadAsync(async command =>
        {
            command.CommandText = $"SELECT {SqliteRows.Columns} FROM nexus_tasks WHERE id = $id";
            command.Add("$id", id);
            return (await SqliteRows.ReadAllAsync(command, cancellationToken)).FirstOrDefault();
        }, cancellationToken);

    public Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken) =>
        session.ReadAsync(command => ListAsync(command, query, cancellationToken), cancellationToken);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The WHERE clause is assembled from constant fragments; every value is a parameter.")]
    private static async Task<TaskPage> ListAsync(Microsoft.Data.Sqlite.SqliteCommand command, TaskQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        var window = ArgsWindow.Of(query);
        if (window is not null)
        {
            command.CommandText = "SELECT (SELECT max(id) FROM nexus_tasks), (SELECT min(id) FROM nexus_tasks)";
            await using var bounds = await command.ExecuteReaderAsync(cancellationToken);
            await bounds.ReadAsync(cancellationToken);
            window = bounds.IsDBNull(0) ? null : window.Value with { Newest = bounds.GetInt64(0), Oldest = bounds.GetInt64(1) };
        }
        // Every filter is a fixed fragment with a parameter; nothing from the query enters the SQL text.
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string Name, object Value)>();
        SqliteTaskFilter.Append(where, query.AsFilter(), parameters);
        foreach (var (name, value) in parameters) command.Add(name, value);
        if (query.BeforeId is { } beforeId)
        {
            where.Append(" AND id < $beforeId");
            command.Add("$beforeId", beforeId);
        }
        if (window is { } w)
        {
            where.Append(" AND id >= $argsFloor");
            command.Add("$argsFloor", w.Floor(query.BeforeId));
        }
        command.CommandText = $"SELECT {SqliteRows.Columns} FROM nexus_tasks {where} ORDER BY id DESC LIMIT $limit";
        command.Add("$limit", limit);
        var items = await SqliteRows.ReadAllAsync(command, cancellationToken);
        return new TaskPage(items, items.Count == limit ? items[^1].Id : window?.Next(query.BeforeId));
    }

    public Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        return session.ReadAsync(command => CountMatchingAsync(command, p, cancellationToken), cancellationToken);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The WHERE clause is assembled from constant fragments; every value is a parameter.")]
    private static async Task<long> CountMatchingAsync(Microsoft.Data.Sqlite.SqliteCommand command, TaskCountParams p, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string Name, object Value)>();
        SqliteTaskFilter.Append(where, p.Filter, parameters);
        if (p.States is { } states)
        {
            where.Append(" AND state IN (");
            for (var i = 0; i < states.Count; i++)
            {
                where.Append(i == 0 ? "" : ", ").Append("$s").Append(i);
                parameters.Add(("$s" + i, states[i].ToName()));
            }
            where.Append(')');
        }
        foreach (var (name, value) in parameters) command.Add(name, value);
        // The inner LIMIT stops the scan at the cap: the cost is bounded whatever the table's size.
        command.CommandText = $"SELECT count(*) FROM (SELECT 1 FROM nexus_tasks {where} LIMIT $cap)";
        command.Add("$cap", p.Cap);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task<long> CountAheadAsync(CountAheadParams p, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        p.Validate();
        return session.ReadAsync(async command =>
        {
            // The first $cap ready tasks in the claim's order (SqliteTaskClaimer: priority DESC, run_at, id), read in that
            // order and stopped at the cap, then those of them before the position. '+queue' keeps SQLite on the ready index
            // (claim order, as the claimer reads it) rather than the queue/state index plus a sort of the whole queue.
            command.CommandText = $"""
                SELECT count(*) FROM (
                    SELECT priority, run_at, id FROM nexus_tasks
                    WHERE +queue = $queue AND state IN {SqliteTaskStore.Ready} AND run_at <= $now
                    ORDER BY priority DESC, run_at, id
                    LIMIT $cap)
                WHERE priority > $priority OR (priority = $priority AND (run_at < $runAt OR (run_at = $runAt AND id < $id)))
                """;
            command.Add("$queue", p.Queue);
            command.Add("$now", session.NowMs(p.Now));
            command.Add("$priority", p.Priority);
            command.Add("$runAt", p.RunAt.ToUnixTimeMilliseconds());
            command.Add("$id", p.Id);
            command.Add("$cap", p.Cap);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken) =>
        session.ReadAsync(command => CountAsync(command, cancellationToken), cancellationToken);

    private static async Task<IReadOnlyList<QueueCounts>> CountAsync(Microsoft.Data.Sqlite.SqliteCommand command, CancellationToken cancellationToken)
    {
        // Kept by every write (SqliteTaskCounts), so this reads a few rows instead of counting the table.
        command.CommandText = "SELECT queue, state, n FROM nexus_task_counts WHERE n <> 0 ORDER BY queue";
        var byQueue = new SortedDictionary<string, Dictionary<TaskState, long>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var queue = reader.GetString(0);
            if (!byQueue.TryGetValue(queue, out var counts)) byQueue[queue] = counts = [];
            counts[TaskStates.Parse(reader.GetString(1))] = reader.GetInt64(2);
        }
        return [.. byQueue.Select(kv => new QueueCounts(kv.Key, kv.Value))];
    }

    public Task<CancelOutcome> CancelAsync(TaskActionParams p, CancellationToken cancellationToken) =>
        session.WriteAsync(async tx =>
        {
            var row = await RowAsync(tx, p.Id, cancellationToken);
            if (row is null) return CancelOutcome.NotFound;
            if (row.State.IsTerminal()) return CancelOutcome.AlreadyFinished;
            var running = row.State == TaskState.Running;
            await using var update = SqliteRows.Command(tx, running
                ? "UPDATE nexus_tasks SET cancel_requested = 1 WHERE id = $id"
                : "UPDATE nexus_tasks SET state = 'cancelled', finished_at = $now WHERE id = $id");
            update.Add("$id", p.Id);
            update.Add("$now", session.NowMs(p.Now));
            await update.ExecuteNonQueryAsync(cancellationToken);
            if (!running)
            {
                await MovedAsync(tx, row, "cancelled", cancellationToken);
                await HookAsync(tx, row, TaskState.Cancelled, cancellationToken);
            }
            return running ? CancelOutcome.Requested : CancelOutcome.Cancelled;
        }, cancellationToken);

    public Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken) =>
        session.WriteAsync(async tx =>
        {
            var row = await RowAsync(tx, p.Id, cancellationToken);
            if (row is null) return RetryOutcome.NotFound;
            if (row.State is not (TaskState.Dead or TaskState.Cancelled)) return RetryOutcome.NotRetryable;
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks
                SET state = 'available', run_at = $now, finished_at = NULL, cancel_requested = 0,
                    max_attempts = max(max_attempts, attempt + 1), args = coalesce($args, args)
                WHERE id = $id
                """);
            update.Add("$id", p.Id);
            update.Add("$args", p.ArgsJson);
            update.Add("$now", session.NowMs(p.Now));
            await update.ExecuteNonQueryAsync(cancellationToken);
            await MovedAsync(tx, row, "available", cancellationToken);
            await HookAsync(tx, row, TaskState.Available, cancellationToken);
            return RetryOutcome.Retried;
        }, cancellationToken);

    public Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken) =>
        session.WriteAsync(async tx =>
        {
            var row = await RowAsync(tx, p.Id, cancellationToken);
            if (row is null) return DeleteOutcome.NotFound;
            if (row.State == TaskState.Running) return DeleteOutcome.Running;
            await using var delete = SqliteRows.Command(tx, "DELETE FROM nexus_tasks WHERE id = $id");
            delete.Add("$id", p.Id);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            var counts = new SqliteTaskCounts();
            counts.Add(row.Queue, row.State.ToName(), -1);
            await counts.ApplyAsync(tx, cancellationToken);
            return DeleteOutcome.Deleted;
        }, cancellationToken);

    private static async Task<Row?> RowAsync(Microsoft.Data.Sqlite.SqliteTransaction tx, long id, CancellationToken cancellationToken)
    {
        await using var select = SqliteRows.Command(tx, "SELECT state, owner, plugin, queue, attempt FROM nexus_tasks WHERE id = $id");
        select.Add("$id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new Row(id, TaskStates.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4));
    }

    private static Task MovedAsync(Microsoft.Data.Sqlite.SqliteTransaction tx, Row row, string to, CancellationToken cancellationToken)
    {
        var counts = new SqliteTaskCounts();
        counts.Move(row.Queue, row.State.ToName(), to);
        return counts.ApplyAsync(tx, cancellationToken);
    }

    private Task HookAsync(Microsoft.Data.Sqlite.SqliteTransaction tx, Row row, TaskState state, CancellationToken cancellationToken) =>
        row.Owner is null
            ? Task.CompletedTask
            : session.Store.Hooks.RunAsync(session.Join(tx), [new OwnedTaskChange(row.Id, row.Owner, row.Plugin, row.Queue, state, row.Attempt, null, null)], cancellationToken);

    private sealed record Row(long Id, TaskState State, string? Owner, string Plugin, string Queue, int Attempt);
}
