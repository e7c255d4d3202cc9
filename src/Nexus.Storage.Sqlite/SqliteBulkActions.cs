using System.Text;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Bulk operator actions (retry or delete many tasks matching a filter): one statement each, oldest first.</summary>
internal sealed class SqliteBulkActions(SqliteStore store)
{
    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        return store.WriteAsync(async tx =>
        {
            await using var command = Command(tx, p.Filter, "state IN ('dead','cancelled')", p.Max, where => $"""
                UPDATE nexus_tasks
                SET state = 'available', run_at = $now, finished_at = NULL, cancel_requested = 0,
                    max_attempts = max(max_attempts, attempt + 1)
                WHERE id IN (SELECT id FROM nexus_tasks {where})
                """);
            command.Add("$now", store.NowMs(p.Now));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken)
    {
        p.Validate();
        return store.WriteAsync(async tx =>
        {
            await using var command = Command(tx, p.Filter, "state <> 'running'", p.Max,
                where => $"DELETE FROM nexus_tasks WHERE id IN (SELECT id FROM nexus_tasks {where})");
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Builds the statement around a WHERE clause made of constant fragments; every value is a parameter.</summary>
    private static SqliteCommand Command(SqliteTransaction tx, TaskFilter f, string stateRule, int max, Func<string, string> statement)
    {
        var where = new StringBuilder("WHERE ").Append(stateRule);
        var parameters = new List<(string, object)>();
        if (f.State is { } state)
        {
            where.Append(" AND state = $state");
            parameters.Add(("$state", state.ToName()));
        }
        if (f.Plugin is not null)
        {
            where.Append(" AND plugin = $plugin");
            parameters.Add(("$plugin", f.Plugin));
        }
        if (f.Queue is not null)
        {
            where.Append(" AND queue = $queue");
            parameters.Add(("$queue", f.Queue));
        }
        if (f.Tag is not null)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM json_each(tags) WHERE value = $tag)");
            parameters.Add(("$tag", f.Tag));
        }
        if (f.CreatedFrom is { } from)
        {
            where.Append(" AND created_at >= $from");
            parameters.Add(("$from", from.ToUnixTimeMilliseconds()));
        }
        if (f.CreatedBefore is { } before)
        {
            where.Append(" AND created_at < $before");
            parameters.Add(("$before", before.ToUnixTimeMilliseconds()));
        }
        if (f.FinishedBefore is { } finished)
        {
            where.Append(" AND finished_at < $finished");
            parameters.Add(("$finished", finished.ToUnixTimeMilliseconds()));
        }
        where.Append(" ORDER BY id LIMIT $max");
        var command = SqliteRows.Command(tx, statement(where.ToString()));
        foreach (var (name, value) in parameters) command.Add(name, value);
        command.Add("$max", max);
        return command;
    }
}
