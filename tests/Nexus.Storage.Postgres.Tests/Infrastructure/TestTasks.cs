using Npgsql;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres.Tests.Infrastructure;

/// <summary>Small builders and raw SQL reads shared by the PostgreSQL-specific tests.</summary>
public static class TestTasks
{
    public static NewTask New(string queue = "default", string? uniqueKey = null, string args = "{}", int priority = 0) => new()
    {
        Plugin = "test.echo",
        ArgsJson = args,
        Queue = queue,
        Priority = priority,
        MaxAttempts = 3,
        UniqueKey = uniqueKey,
    };

    public static List<NewTask> Many(int count, string queue = "default") =>
        Enumerable.Range(0, count).Select(i => New(queue, args: $$"""{"n":{{i}}}""")).ToList();

    /// <summary>Counts rows of the store's task table, optionally with an extra condition.</summary>
    public static async Task<long> CountRowsAsync(NpgsqlDataSource dataSource, string schema, string where = "true")
    {
        await using var cmd = dataSource.CreateCommand($"select count(*) from \"{schema}\".tasks where {where}");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
