using Microsoft.Data.Sqlite;
using Nexus.Storage.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite.Tests;

/// <summary>What only the SQLite driver has to prove: several stores (as several processes would) on one file,
/// migrations from the future, and files that are not databases.</summary>
public sealed class SqliteStoreTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SqliteStore Open(string path) => new(new SqliteStoreOptions { ConnectionString = $"Data Source={path}" });

    private static NewTask Task() => new() { Plugin = "p", ArgsJson = "{}", Queue = "default", MaxAttempts = 1 };

    [Fact]
    public async Task SeveralStoresOnOneFile_NeverClaimTheSameTask()
    {
        var path = SqliteTestStores.NewPath();
        var stores = Enumerable.Range(0, 3).Select(_ => Open(path)).ToList();
        foreach (var store in stores) await store.MigrateAsync(); // opens each writer connection before the race
        await stores[0].Tasks.InsertAsync(new InsertTasksParams(Enumerable.Range(0, 3000).Select(_ => Task()).ToList()) { Now = T0 });

        var claimed = await System.Threading.Tasks.Task.WhenAll(stores.Select((store, n) => System.Threading.Tasks.Task.Run(async () =>
        {
            var mine = new List<long>();
            while (true)
            {
                var batch = await store.Tasks.ClaimAsync(new ClaimParams($"node-{n}", 5, TimeSpan.FromMinutes(1)) { Now = T0 });
                if (batch.Count == 0) return mine;
                mine.AddRange(batch.Select(t => t.Id));
            }
        })));
        foreach (var store in stores) await store.DisposeAsync();

        var all = claimed.SelectMany(x => x).ToList();
        Assert.Equal(3000, all.Count);
        Assert.Equal(3000, all.Distinct().Count());
    }

    [Fact]
    public async Task Migrate_OfAVersion2Database_AddsTheTraceContextColumn_AndKeepsItsTasks()
    {
        var path = SqliteTestStores.NewPath();
        long id;
        await using (var store = Open(path))
        {
            await store.MigrateAsync();
            id = (await store.Tasks.InsertAsync(new InsertTasksParams([Task()]) { Now = T0 }))[0].Id;
        }
        // Back to the shipped version 2: no trace_context column, nor the tables of the later versions.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = "DROP TABLE nexus_events; DROP TABLE nexus_namespaces; DROP TABLE nexus_subscriptions; DROP TABLE nexus_event_dead_letters; ALTER TABLE nexus_api_keys DROP COLUMN namespaces; ALTER TABLE nexus_tasks DROP COLUMN trace_context; DROP TABLE nexus_nodes; DROP TABLE nexus_external_plugins; UPDATE nexus_schema_version SET version = 2";
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = Open(path);
        var result = await upgraded.MigrateAsync();

        Assert.Equal(2, result.FromVersion);
        Assert.Equal(Enumerable.Range(3, result.ToVersion - 2), result.Applied);
        Assert.Null((await upgraded.Tasks.GetAsync(id))!.TraceContext);
        var traced = (await upgraded.Tasks.InsertAsync(new InsertTasksParams([Task() with { TraceContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }]) { Now = T0 }))[0].Id;
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", (await upgraded.Tasks.GetAsync(traced))!.TraceContext);
    }

    [Fact]
    public async Task Migrate_OfAVersion6Database_RebuildsTheTable_KeepsEveryTask_AndNeverReusesAnId()
    {
        var path = SqliteTestStores.NewPath();
        long kept, deleted;
        await using (var store = Open(path))
        {
            await store.MigrateAsync();
            var ids = await store.Tasks.InsertAsync(new InsertTasksParams([Task() with { UniqueKey = "k", Tags = ["a"] }, Task()]) { Now = T0 });
            (kept, deleted) = (ids[0].Id, ids[1].Id);
            Assert.Equal(DeleteOutcome.Deleted, await store.Tasks.DeleteAsync(new TaskActionParams(deleted)));
        }
        // Back to the shipped version 6: the table without 'waiting' and owner (its CHECK cannot be altered in place).
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = """
                DROP TABLE nexus_events; DROP TABLE nexus_namespaces; DROP TABLE nexus_subscriptions; DROP TABLE nexus_event_dead_letters; ALTER TABLE nexus_api_keys DROP COLUMN namespaces; 
                DROP INDEX nexus_tasks_owner;
                ALTER TABLE nexus_tasks DROP COLUMN owner;
                UPDATE nexus_schema_version SET version = 6
                """;
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = Open(path);
        var result = await upgraded.MigrateAsync();

        Assert.Equal(Enumerable.Range(7, result.ToVersion - 6), result.Applied); // 7 and the versions after it
        var task = (await upgraded.Tasks.GetAsync(kept))!;
        Assert.Equal(("k", "a"), (task.UniqueKey, Assert.Single(task.Tags)));
        var next = await upgraded.Tasks.InsertAsync(new InsertTasksParams([Task() with { UniqueKey = "k" }, Task() with { Waiting = true, Owner = "wf:1" }]) { Now = T0 });
        Assert.Equal((kept, false), (next[0].Id, next[0].Created));
        Assert.True(next[1].Id > deleted, $"id {next[1].Id} reused after the rebuild (the deleted task had {deleted})");
        Assert.Equal((TaskState.Waiting, "wf:1"), ((await upgraded.Tasks.GetAsync(next[1].Id))!.State, (await upgraded.Tasks.GetAsync(next[1].Id))!.Owner));
        Assert.True((await upgraded.CheckHealthAsync()).Ready);
    }

    [Fact]
    public async Task Migrate_OfAVersion5Database_ScopesUniqueKeysToTheQueue_AndKeepsTheExistingKeys()
    {
        var path = SqliteTestStores.NewPath();
        long id;
        await using (var store = Open(path))
        {
            await store.MigrateAsync();
            id = (await store.Tasks.InsertAsync(new InsertTasksParams([Task() with { UniqueKey = "k" }]) { Now = T0 }))[0].Id;
        }
        // Back to the shipped version 5: one unique key across every queue.
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var downgrade = connection.CreateCommand();
            downgrade.CommandText = """
                DROP TABLE nexus_events; DROP TABLE nexus_namespaces; DROP TABLE nexus_subscriptions; DROP TABLE nexus_event_dead_letters; ALTER TABLE nexus_api_keys DROP COLUMN namespaces; 
                DROP INDEX nexus_tasks_unique_key;
                CREATE UNIQUE INDEX nexus_tasks_unique_key ON nexus_tasks (unique_key) WHERE unique_key IS NOT NULL;
                UPDATE nexus_schema_version SET version = 5
                """;
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = Open(path);
        var result = await upgraded.MigrateAsync();

        Assert.Equal(Enumerable.Range(6, result.ToVersion - 5), result.Applied); // 6, 7 and the versions after them
        var again = await upgraded.Tasks.InsertAsync(new InsertTasksParams([Task() with { UniqueKey = "k" }, Task() with { UniqueKey = "k", Queue = "other" }]) { Now = T0 });
        Assert.Equal((id, false), (again[0].Id, again[0].Created));
        Assert.True(again[1].Created);
    }

    [Fact]
    public async Task Migrate_OfADatabaseFromANewerNexus_FailsAndChangesNothing()
    {
        var path = SqliteTestStores.NewPath();
        await using (var store = Open(path))
        {
            await store.MigrateAsync();
            await store.Tasks.InsertAsync(new InsertTasksParams([Task()]) { Now = T0 });
        }
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var bump = connection.CreateCommand();
            bump.CommandText = "UPDATE nexus_schema_version SET version = 99";
            await bump.ExecuteNonQueryAsync();
        }

        await using var newer = Open(path);
        var ex = await Assert.ThrowsAsync<StoreException>(() => newer.MigrateAsync());
        var health = await newer.CheckHealthAsync();

        Assert.Equal("schema-too-new", ex.Code);
        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
        Assert.False(health.Ready);
        Assert.Equal(99, health.SchemaVersion);
        var page = await newer.Tasks.ListAsync(new TaskQuery());
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task AFolderThatCannotBeCreated_GivesAClearError()
    {
        var blocker = Path.Combine(Path.GetTempPath(), "nexus-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        await File.WriteAllTextAsync(blocker, "a file where a folder should be");
        await using var store = Open(Path.Combine(blocker, "sub", "nexus.db"));

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync());

        Assert.Equal("store-unreachable", ex.Code);
        Assert.Contains(blocker, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RejectAnUnknownSynchronousMode() =>
        Assert.Contains("Synchronous", Assert.Throws<ArgumentException>(() => new SqliteStore(new SqliteStoreOptions { Synchronous = "OFF; DROP TABLE x" })).Message, StringComparison.Ordinal);
}
