using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Nexus.Events;
using Nexus.Storage.Contract;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>
/// The dispatcher reads the log only below the horizon of its snapshot (the oldest transaction still open), so that an
/// event committed late is never skipped. An event that commits while an older transaction is open waits for that
/// transaction; nothing announces its end. The dispatcher must look again by itself, not at its next interval.
/// </summary>
public sealed class HeldBackDispatchTests : EngineHarness
{
    // No listener: a NOTIFY that arrives late would wake the dispatcher by chance; here only this node's emit wakes it.
    protected override async Task<INexusStore> CreateStoreAsync() => (await PostgresTestServer.GetAsync()).CreateStore(o => o.Listen = false);

    [Fact]
    public async Task AnEventHeldBackByAnOlderOpenTransaction_IsDeliveredSoonAfterItEnds_WithoutAnotherEmitOrTheInterval()
    {
        // An interval far beyond the test: a delivery here comes from the dispatcher looking again by itself.
        var (host, tasks) = await StartAsync(o => o.Events.DispatchInterval = TimeSpan.FromMinutes(5));
        var events = host.Services.GetRequiredService<INexusEvents>();
        await events.CreateNamespaceAsync("held");
        await events.SubscribeAsync(new SubscriptionRequest("held", "probe", "orders.*")
        {
            Target = "test.probe",
            ArgsTemplate = """{"mode":"succeed"}""",
            Queue = "held",
        });

        // A transaction with an id of its own, begun before the emit and left open.
        var server = await PostgresTestServer.GetAsync();
        await using var older = await server.DataSource.OpenConnectionAsync();
        await using var open = await older.BeginTransactionAsync();
        await using (var id = new NpgsqlCommand("select pg_current_xact_id()", older, open)) await id.ExecuteScalarAsync();

        await events.EmitAsync("held", EventRequest.Of("orders.created", new { n = 1 }));
        var pass = await events.DispatchAsync();
        Assert.Equal(0, pass.Deliveries);
        Assert.True(pass.HeldBack, "the pass reports the committed event it could not read yet");
        Assert.Empty((await tasks.ListAsync(new TaskQuery { Queue = "held" })).Items);

        await open.CommitAsync();

        var delivered = await Eventually.UntilAsync(() => tasks.ListAsync(new TaskQuery { Queue = "held" }), p => p.Items.Count == 1,
            timeout: TimeSpan.FromSeconds(20), because: "the held-back event delivered once the older transaction ended");
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, Assert.Single(delivered.Items).Id)).State);
        var after = await events.DispatchAsync();
        Assert.False(after.HeldBack);
        Assert.Equal(0, after.Deliveries);
    }
}
