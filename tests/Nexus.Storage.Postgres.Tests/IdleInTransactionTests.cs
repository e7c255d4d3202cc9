using Npgsql;
using Nexus.Testing;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>A frozen process cannot hold row locks forever: a session of the store's data source that sits idle inside
/// an open transaction is ended by the server after <see cref="PostgresStoreOptions.IdleInTransactionTimeout"/>, and
/// the locks it held are free again.</summary>
public sealed class IdleInTransactionTests
{
    [Fact]
    public async Task ASessionIdleInATransaction_IsEnded_AndItsRowLocksAreReleased()
    {
        var server = await PostgresTestServer.GetAsync();
        var schema = server.NewSchema();
        // Migrated by a store with the default timeout: on a loaded machine the migration's own transaction may wait
        // longer than 500 ms for this process between two statements.
        await using (var migrator = server.CreateStore(o => o.Schema = schema)) await migrator.MigrateAsync();
        await using var store = PostgresStore.Create(server.ConnectionStringFor("nexus-idle-test"), o =>
        {
            o.Schema = schema;
            o.IdleInTransactionTimeout = TimeSpan.FromMilliseconds(500);
        });
        var id = (await store.Tasks.InsertAsync(new InsertTasksParams([new NewTask { Plugin = "test.echo", ArgsJson = "{}", Queue = "default", MaxAttempts = 1 }])))[0].Id;

        // A "frozen" process: it locked the task's row and then stopped talking, its transaction still open.
        await using var frozen = await store.DataSource.OpenConnectionAsync();
        await using var tx = await frozen.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"select id from {schema}.tasks where id = $1 for update", frozen, tx) { Parameters = { new() { Value = id } } })
        {
            Assert.Equal(id, await lockRow.ExecuteScalarAsync());
        }

        // Another session can lock the row again once the server has ended the frozen one (polled with a deadline).
        await Eventually.UntilAsync(async () =>
        {
            await using var other = await server.DataSource.OpenConnectionAsync();
            await using var otherTx = await other.BeginTransactionAsync();
            await using var tryLock = new NpgsqlCommand($"select id from {schema}.tasks where id = $1 for update skip locked", other, otherTx) { Parameters = { new() { Value = id } } };
            var locked = await tryLock.ExecuteScalarAsync() is long;
            await otherTx.RollbackAsync();
            return locked;
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50), "the idle transaction's row lock to be released");
        await using var probe = new NpgsqlCommand("select 1", frozen, tx);
        await Assert.ThrowsAnyAsync<Exception>(() => probe.ExecuteScalarAsync());
    }

    [Fact]
    public void TheTimeout_IsBounded()
    {
        var options = new PostgresStoreOptions { IdleInTransactionTimeout = TimeSpan.Zero };
        Assert.Contains("IdleInTransactionTimeout", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }
}
