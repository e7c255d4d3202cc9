using Npgsql;

namespace Nexus.Bench;

/// <summary>PostgreSQL's share of a workload, per statement, from pg_stat_statements (the bench server preloads it).</summary>
internal static class StatementProfile
{
    public static async Task ResetAsync(string? connectionString)
    {
        if (connectionString is null) return;
        await using var ds = NpgsqlDataSource.Create(connectionString);
        await using var create = ds.CreateCommand("create extension if not exists pg_stat_statements");
        await create.ExecuteNonQueryAsync();
        await using var reset = ds.CreateCommand("select pg_stat_statements_reset()");
        await reset.ExecuteNonQueryAsync();
    }

    /// <summary>The statements that took most server time: calls, total ms, mean µs, rows, and the statement's start.</summary>
    public static async Task<IReadOnlyList<string>> TopAsync(string? connectionString, int top = 6)
    {
        if (connectionString is null) return [];
        await using var ds = NpgsqlDataSource.Create(connectionString);
        await using var cmd = ds.CreateCommand("""
            select calls, round(total_exec_time::numeric, 0), round((mean_exec_time * 1000)::numeric, 0), rows,
                   regexp_replace(left(regexp_replace(query, '\s+', ' ', 'g'), 90), '^\s+', '')
            from pg_stat_statements
            where query not ilike '%pg_stat_statements%'
            order by total_exec_time desc
            limit $1
            """);
        cmd.Parameters.AddWithValue(top);
        var lines = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add($"calls={reader.GetInt64(0)} totalMs={reader.GetDecimal(1)} meanUs={reader.GetDecimal(2)} rows={reader.GetInt64(3)} sql={reader.GetString(4)}");
        }
        return lines;
    }
}
