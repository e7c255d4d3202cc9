using Npgsql;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>Reads and ends server backends by application name (each worker connects as <c>crash-{node}</c>).</summary>
internal static class Backends
{
    // Unpooled: a pooled connection would outlive a restart of the server and fail on its next use.
    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>Pids of the backends of <paramref name="applicationName"/> that hold a LISTEN: the notification listener's
    /// connection, whose last statement is its <c>listen "channel"</c>.</summary>
    public static async Task<List<int>> ListenersAsync(string connectionString, string applicationName)
    {
        await using var conn = new NpgsqlConnection(Unpooled(connectionString));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select pid from pg_stat_activity where application_name = $1 and query ilike 'listen %' order by pid", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        var pids = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids;
    }

    /// <summary>pg_terminate_backend: the server closes that session as if the connection had dropped.</summary>
    public static async Task<bool> TerminateAsync(string connectionString, int pid)
    {
        await using var conn = new NpgsqlConnection(Unpooled(connectionString));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select pg_terminate_backend($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }
}
