using System.Net;
using System.Net.Sockets;
using Npgsql;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Migrations, health and connection failures.</summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Migrate_OnAnEmptySchema_AppliesEveryVersion_AndReportsReady()
    {
        var server = await PostgresTestServer.GetAsync();
        await using var store = server.CreateStore();

        var before = await store.CheckHealthAsync();
        var result = await store.MigrateAsync();
        var after = await store.CheckHealthAsync();

        Assert.True(before.Reachable);
        Assert.False(before.Ready);
        Assert.Equal(0, before.SchemaVersion);
        Assert.Contains("migrat", before.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, result.FromVersion);
        Assert.Equal(PostgresStore.SchemaVersion, result.ToVersion);
        Assert.Equal(PostgresStore.SchemaVersions, result.Applied);
        Assert.True(after.Ready, after.Error);
    }

    [Fact]
    public async Task Migrate_OfAVersion2Schema_AddsTheTraceContextColumn_AndKeepsItsTasks()
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = server.NewSchema();
        long id;
        await using (var store = new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema }))
        {
            await store.MigrateAsync();
            id = (await store.Tasks.InsertAsync(new InsertTasksParams([new NewTask { Plugin = "test.echo", ArgsJson = "{}", Queue = "default", MaxAttempts = 1 }])))[0].Id;
        }
        // Back to the shipped version 2: no trace_context column, nor the tables of the later versions.
        await using (var downgrade = server.DataSource.CreateCommand($"{UndoEvents(schema)} alter table \"{schema}\".tasks drop column trace_context, drop column owner; drop table \"{schema}\".nodes; drop table \"{schema}\".external_plugins; {UndoHotPathIndexes(schema)} delete from \"{schema}\".schema_version where version > 2"))
        {
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema });
        var result = await upgraded.MigrateAsync();

        Assert.Equal(2, result.FromVersion);
        Assert.Equal(Enumerable.Range(3, PostgresStore.SchemaVersion - 2), result.Applied);
        Assert.Null((await upgraded.Tasks.GetAsync(id))!.TraceContext);
        Assert.True((await upgraded.CheckHealthAsync()).Ready);
    }

    [Fact]
    public async Task Migrate_OfAVersion6Schema_ScopesUniqueKeysToTheQueue_AndKeepsTheExistingKeys()
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = server.NewSchema();
        long id;
        await using (var store = new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema }))
        {
            await store.MigrateAsync();
            id = (await store.Tasks.InsertAsync(new InsertTasksParams([TestTasks.New(uniqueKey: "k")])))[0].Id;
        }
        // Back to the shipped version 6: one unique key across every queue.
        await using (var downgrade = server.DataSource.CreateCommand($"""
            drop index "{schema}".tasks_unique_key_idx;
            create unique index tasks_unique_key_idx on "{schema}".tasks (unique_key) where unique_key is not null;
            alter table "{schema}".tasks drop column owner;
            {UndoEvents(schema)}
            delete from "{schema}".schema_version where version > 6
            """))
        {
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema });
        var result = await upgraded.MigrateAsync();

        Assert.Equal(Enumerable.Range(7, PostgresStore.SchemaVersion - 6), result.Applied); // 7 and the versions after it
        var again = await upgraded.Tasks.InsertAsync(new InsertTasksParams([TestTasks.New(uniqueKey: "k"), TestTasks.New(queue: "other", uniqueKey: "k")]));
        Assert.Equal((id, false), (again[0].Id, again[0].Created));
        Assert.True(again[1].Created);
    }

    [Fact]
    public async Task Migrate_FromManyNodesAtOnce_AppliesOnce()
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = server.NewSchema();
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema })).ToList();

        var results = await Task.WhenAll(stores.Select(s => s.MigrateAsync()));

        Assert.Single(results, r => r.Applied.Count > 0);
        Assert.All(results, r => Assert.Equal(PostgresStore.SchemaVersion, r.ToVersion));
        await using var rows = server.DataSource.CreateCommand($"select count(*) from \"{schema}\".schema_version");
        Assert.Equal((long)PostgresStore.SchemaVersions.Count, await rows.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_WhenTheDatabaseIsNewer_FailsWithSchemaTooNew_AndChangesNothing()
    {
        var server = await PostgresTestServer.GetAsync();
        await using var store = server.CreateStore();
        await store.MigrateAsync();
        var id = (await store.Tasks.InsertAsync(new InsertTasksParams([TestTasks.New("kept")])))[0].Id;
        await using (var bump = server.DataSource.CreateCommand($"insert into \"{store.Schema}\".schema_version (version) values (999)"))
        {
            await bump.ExecuteNonQueryAsync();
        }

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync());
        var health = await store.CheckHealthAsync();

        Assert.Equal("schema-too-new", ex.Code);
        Assert.Contains("999", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {PostgresStore.SchemaVersion}", ex.Message, StringComparison.Ordinal);
        Assert.True(health.Reachable);
        Assert.False(health.Ready);
        Assert.Equal(999, health.SchemaVersion);
        Assert.Equal("schema-too-new", (await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync())).Code);
        var kept = await store.Tasks.GetAsync(id);
        Assert.Equal("kept", kept?.Queue);
        await using var versions = server.DataSource.CreateCommand($"select count(*) from \"{store.Schema}\".schema_version");
        Assert.Equal(PostgresStore.SchemaVersions.Count + 1L, await versions.ExecuteScalarAsync());
    }

    [Fact]
    public async Task UnreachableDatabase_FailsWithStoreUnreachable_NamingHostPortAndDatabase_ButNotThePassword()
    {
        var port = ClosedPort();
        await using var store = PostgresStore.Create($"Host=127.0.0.1;Port={port};Database=nowhere;Username=nexus;Password=secret-pw-123;Timeout=3");

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.MigrateAsync());
        var insert = await Assert.ThrowsAsync<StoreException>(() => store.Tasks.InsertAsync(new InsertTasksParams([TestTasks.New()])));
        var health = await store.CheckHealthAsync();

        Assert.Equal("store-unreachable", ex.Code);
        Assert.Equal("store-unreachable", insert.Code);
        foreach (var message in new[] { ex.Message, health.Error! })
        {
            Assert.Contains("127.0.0.1", message, StringComparison.Ordinal);
            Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
            Assert.Contains("nowhere", message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-pw-123", message, StringComparison.Ordinal);
        }
        Assert.False(health.Reachable);
        Assert.False(health.Ready);
    }

    [Theory]
    [InlineData("nexus\"; drop table users; --")]
    [InlineData("nexus; drop schema public cascade")]
    [InlineData("Nexus")]
    [InlineData("")]
    [InlineData("1nexus")]
    [InlineData("nexus-tasks")]
    [InlineData("nexus.tasks")]
    [InlineData("ñexus")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public async Task SchemaName_ThatIsNotAPlainIdentifier_IsRejected(string schema)
    {
        var server = await PostgresTestServer.GetAsync();

        var ex = Assert.Throws<ArgumentException>(() => new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema }));

        Assert.Contains("schema name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchemaName_ThatIsAReservedWord_OrAsLongAsAllowed_Works()
    {
        var server = await PostgresTestServer.GetAsync();
        var longest = "z" + Guid.NewGuid().ToString("N") + new string('_', 30);
        Assert.Equal(63, longest.Length);

        foreach (var schema in new[] { "select", longest })
        {
            await using var store = new PostgresStore(server.DataSource, new PostgresStoreOptions { Schema = schema });
            await store.MigrateAsync();
            await store.Tasks.InsertAsync(new InsertTasksParams([TestTasks.New()]));
            var claimed = await store.Tasks.ClaimAsync(new ClaimParams("n", 5, TimeSpan.FromSeconds(30)));

            Assert.Equal(TaskState.Running, Assert.Single(claimed).State);
            Assert.True(store.NotifyChannel.Length <= 63, store.NotifyChannel);
            await using var drop = server.DataSource.CreateCommand($"drop schema \"{schema}\" cascade");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Undoes version 9 (the event log), so that a downgraded schema can be migrated past it again.</summary>
    /// <summary>Back to version 1's lease index, which migration 6 replaces (migration 16 replaced it again).</summary>
    private static string UndoHotPathIndexes(string schema) =>
        $"drop index \"{schema}\".tasks_running_idx; create index tasks_lease_idx on \"{schema}\".tasks (lease_expires_at) where state = 'running';";

    private static string UndoEvents(string schema) =>
        $"drop table \"{schema}\".events; drop sequence \"{schema}\".events_position_seq; drop table \"{schema}\".event_keys; drop table \"{schema}\".namespaces; " +
        $"drop table \"{schema}\".subscriptions; drop table \"{schema}\".event_dead_letters; alter table \"{schema}\".api_keys drop column namespaces;";
}
