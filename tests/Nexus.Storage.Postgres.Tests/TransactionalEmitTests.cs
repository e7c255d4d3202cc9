using Microsoft.Extensions.DependencyInjection;
using Nexus.Events;
using Nexus.Hosting;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Emits that join the caller's transaction: the events exist exactly when it commits.</summary>
public sealed class TransactionalEmitTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private INexusEvents _events = null!;
    private PostgresStore _store = null!;
    private string _schema = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _schema = server.NewSchema();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNexus(n => n.UsePostgres(server.ConnectionString, o => o.Schema = _schema).Configure(o => o.RunWorkers = false));
        _services = services.BuildServiceProvider();
        _events = _services.GetRequiredService<INexusEvents>();
        _store = _services.GetRequiredService<PostgresStore>();
        await _store.MigrateAsync();
        await _events.CreateNamespaceAsync("shop");
        await using var cmd = _store.DataSource.CreateCommand($"create table \"{_schema}\".orders (id int primary key)");
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private async Task<(long Orders, int Events)> CountAsync()
    {
        await using var orders = _store.DataSource.CreateCommand($"select count(*) from \"{_schema}\".orders");
        var page = await _store.Events.ReadRangeAsync(new ReadRangeParams("shop", null, null, 1000));
        return ((long)(await orders.ExecuteScalarAsync())!, page.Count);
    }

    [Fact]
    public async Task Emit_InACommittedTransaction_AppearsWithTheOtherWrites_AndReadersSeeIt()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var order = new Npgsql.NpgsqlCommand($"insert into \"{_schema}\".orders values (1)", conn, tx)) await order.ExecuteNonQueryAsync();
        var results = await _events.EmitAsync(_store, tx, "shop", [EventRequest.Of("orders.created", new { id = 1 }) with { IdempotencyKey = "order-1" }]);

        Assert.Equal((0L, 0), await CountAsync());
        await tx.CommitAsync();

        Assert.Equal((1L, 1), await CountAsync());
        var page = await Eventually.UntilAsync(() => _events.ReadAsync("shop", LogCursor.Start), p => p.Events.Count == 1);
        Assert.Equal(results[0].Position, page.Events[0].Position);
        var again = await _events.EmitAsync("shop", EventRequest.Of("orders.created", new { id = 1 }) with { IdempotencyKey = "order-1" });
        Assert.Equal(new AppendResult(results[0].Position, false), again);
    }

    [Fact]
    public async Task Emit_InARolledBackTransaction_LeavesNoEvent_AndFreesItsIdempotencyKey()
    {
        await using (var conn = await _store.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using (var order = new Npgsql.NpgsqlCommand($"insert into \"{_schema}\".orders values (2)", conn, tx)) await order.ExecuteNonQueryAsync();
            await _events.EmitAsync(_store, tx, "shop", [EventRequest.Of("orders.created", new { id = 2 }) with { IdempotencyKey = "order-2" }]);
            await tx.RollbackAsync();
        }

        Assert.Equal((0L, 0), await CountAsync());
        var fresh = await _events.EmitAsync("shop", EventRequest.Of("orders.created", new { id = 2 }) with { IdempotencyKey = "order-2" });
        Assert.True(fresh.Created);
    }

    [Fact]
    public async Task Emit_OfAReservedTopic_IsRefusedBeforeAnythingIsWritten()
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();

        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _events.EmitAsync(_store, tx, "shop", [new EventRequest("$state.cart", "{}")]));

        Assert.Equal("topic", ex.Field);
    }
}
