using System.Text;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Reads and operator actions on single tasks: off the hot path, kept apart from it.</summary>
internal sealed class SqliteTaskQueries(SqliteStore store)
{
    public async Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteRows.Columns} FROM nexus_tasks WHERE id = $id";
        command.Add("$id", id);
        return (await SqliteRows.ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The WHERE clause is assembled from constant fragments; every value is a parameter.")]
    public async Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, 1000);
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
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
        command.CommandText = $"SELECT {SqliteRows.Columns} FROM nexus_tasks {where} ORDER BY id DESC LIMIT $limit";
        command.Add("$limit", limit);
        var items = await SqliteRows.ReadAllAsync(command, cancellationToken);
        return new TaskPage(items, items.Count == limit ? items[^1].Id : null);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The WHERE clause is assembled from constant fragments; every value is a parameter.")]
    public async Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
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

    public async Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT queue, state, count(*) FROM nexus_tasks GROUP BY queue, state ORDER BY queue";
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
        store.WriteAsync(async tx =>
        {
            var state = await StateAsync(tx, p.Id, cancellationToken);
            if (state is null) return CancelOutcome.NotFound;
            if (state.Value.IsTerminal()) return CancelOutcome.AlreadyFinished;
            var running = state == TaskState.Running;
            await using var update = SqliteRows.Command(tx, running
                ? "UPDATE nexus_tasks SET cancel_requested = 1 WHERE id = $id"
                : "UPDATE nexus_tasks SET state = 'cancelled', finished_at = $now WHERE id = $id");
            update.Add("$id", p.Id);
            update.Add("$now", store.NowMs(p.Now));
            await update.ExecuteNonQueryAsync(cancellationToken);
            return running ? CancelOutcome.Requested : CancelOutcome.Cancelled;
        }, cancellationToken);

    public Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken) =>
        store.WriteAsync(async tx =>
        {
            var state = await StateAsync(tx, p.Id, cancellationToken);
            if (state is null) return RetryOutcome.NotFound;
            if (state is not (TaskState.Dead or TaskState.Cancelled)) return RetryOutcome.NotRetryable;
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks
                SET state = 'available', run_at = $now, finished_at = NULL, cancel_requested = 0,
                    max_attempts = max(max_attempts, attempt + 1)
                WHERE id = $id
                """);
            update.Add("$id", p.Id);
            update.Add("$now", store.NowMs(p.Now));
            await update.ExecuteNonQueryAsync(cancellationToken);
            return RetryOutcome.Retried;
        }, cancellationToken);

    public Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken) =>
        store.WriteAsync(async tx =>
        {
            var state = await StateAsync(tx, p.Id, cancellationToken);
            if (state is null) return DeleteOutcome.NotFound;
            if (state == TaskState.Running) return DeleteOutcome.Running;
            await using var delete = SqliteRows.Command(tx, "DELETE FROM nexus_tasks WHERE id = $id");
            delete.Add("$id", p.Id);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return DeleteOutcome.Deleted;
        }, cancellationToken);

    private static async Task<TaskState?> StateAsync(Microsoft.Data.Sqlite.SqliteTransaction tx, long id, CancellationToken cancellationToken)
    {
        await using var select = SqliteRows.Command(tx, "SELECT state FROM nexus_tasks WHERE id = $id");
        select.Add("$id", id);
        return await select.ExecuteScalarAsync(cancellationToken) is string s ? TaskStates.Parse(s) : null;
    }
}
