using Npgsql;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>The tasks table is vacuumed by <see cref="ITaskStore.TidyAsync"/> once enough dead row versions piled up,
/// and left alone below that.</summary>
public sealed class TaskVacuumTests
{
    private static async Task<(long Dead, long Vacuums)> StatsAsync(PostgresStore store)
    {
        await using var cmd = store.DataSource.CreateCommand(
            "select coalesce(n_dead_tup, 0), vacuum_count from pg_stat_user_tables where relid = $1::regclass");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{store.Schema}.tasks" });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task DrainAsync(PostgresStore store, int n)
    {
        await store.Tasks.InsertAsync(new InsertTasksParams(TestTasks.Many(n, "vac")));
        var claimed = await store.Tasks.ClaimAsync(new ClaimParams("node", n, TimeSpan.FromMinutes(1)));
        await store.Tasks.CompleteAsync(new CompleteParams([.. claimed.Select(t => new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded))]));
    }

    [Fact]
    public async Task DeadRowsPastTheThreshold_AreVacuumed_AgainAndAgain_AndFewerAreLeftAlone()
    {
        var server = await PostgresTestServer.GetAsync();
        await using var store = server.CreateStore(o => o.VacuumDeadTasks = 100);
        await store.MigrateAsync();

        // Below the threshold: nothing.
        await DrainAsync(store, 20);
        Assert.False(await store.Tasks.TidyAsync());

        // Past it, several times over (the statement must keep working once Npgsql prepares it automatically).
        for (var round = 1; round <= 7; round++)
        {
            await DrainAsync(store, 200);
            // The statistics arrive asynchronously (a backend reports at most once a second).
            await Eventually.UntilAsync(() => StatsAsync(store), s => s.Dead >= 100, because: $"round {round}'s dead rows to be counted");
            Assert.True(await store.Tasks.TidyAsync(), $"round {round} should vacuum");
            await Eventually.UntilAsync(() => StatsAsync(store), s => s.Vacuums >= round, because: $"round {round}'s vacuum to be counted");
        }
    }

    [Fact]
    public async Task Zero_LeavesTheTableToAutovacuum()
    {
        var server = await PostgresTestServer.GetAsync();
        await using var store = server.CreateStore(o => o.VacuumDeadTasks = 0);
        await store.MigrateAsync();
        await DrainAsync(store, 300);
        await Eventually.UntilAsync(() => StatsAsync(store), s => s.Dead >= 100, because: "the dead rows to be counted");

        Assert.False(await store.Tasks.TidyAsync());
        Assert.Equal(0, (await StatsAsync(store)).Vacuums);
    }

    [Fact]
    public void ANegativeThreshold_IsRefused()
    {
        var options = new PostgresStoreOptions { VacuumDeadTasks = -1 };
        Assert.Contains("VacuumDeadTasks", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }
}
