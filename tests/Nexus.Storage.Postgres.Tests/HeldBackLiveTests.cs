using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Nexus.Events;
using Nexus.Live;
using Nexus.State;
using Nexus.Storage.Contract;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>
/// A live reader reads the log only below the horizon of its snapshot (the oldest transaction still open), so a change
/// committed while an older transaction is open waits for that transaction, whose end announces nothing. The read says
/// so (<see cref="EventPage.HeldBack"/>), and the namespace's live reader looks again by itself within milliseconds
/// rather than at its interval.
/// </summary>
public sealed class HeldBackLiveTests : EngineHarness
{
    // No listener: a NOTIFY arriving late would wake the reader by chance; here only this node's write wakes it, once.
    protected override async Task<INexusStore> CreateStoreAsync() => (await PostgresTestServer.GetAsync()).CreateStore(o => o.Listen = false);

    private static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Open)> OpenOlderTransactionAsync()
    {
        // A transaction with an id of its own, left open: it holds the read horizon back.
        var server = await PostgresTestServer.GetAsync();
        var connection = await server.DataSource.OpenConnectionAsync();
        var open = await connection.BeginTransactionAsync();
        await using (var id = new NpgsqlCommand("select pg_current_xact_id()", connection, open)) await id.ExecuteScalarAsync();
        return (connection, open);
    }

    [Fact]
    public async Task AReadAskingForIt_SaysCommittedEventsWaitBehindAnOlderOpenTransaction_AndNotOnceItEnds()
    {
        var store = await CreateStoreAsync();
        await using var _ = store;
        await store.MigrateAsync();
        await store.Events.CreateNamespaceAsync(new NewNamespace("held"));
        var start = await store.Events.CursorAtAsync("held", SubscriptionStart.New);
        var read = new ReadEventsParams("held", start, 100) { ReportHeldBack = true };
        Assert.False((await store.Events.ReadAsync(read)).HeldBack);

        var (connection, open) = await OpenOlderTransactionAsync();
        await using (connection)
        await using (open)
        {
            await store.Events.AppendAsync(new AppendEventsParams("held", [new NewEvent { Topic = "orders.created", PayloadJson = "{}" }]));
            var behind = await store.Events.ReadAsync(read);
            Assert.Empty(behind.Events);
            Assert.Equal(start, behind.Next);
            Assert.True(behind.HeldBack, "the committed event waits behind the open transaction");
            Assert.False((await store.Events.ReadAsync(read with { ReportHeldBack = false })).HeldBack);
            await open.CommitAsync();
        }

        // Transaction ids are cluster-wide: another test's transaction that began before the append may still hold the
        // horizon for a moment after ours ended.
        var after = await Eventually.UntilAsync(() => store.Events.ReadAsync(read), p => p.Events.Count > 0, because: "the event once every older transaction ended");
        Assert.Equal("orders.created", Assert.Single(after.Events).Topic);
        Assert.False(after.HeldBack);
        Assert.False((await store.Events.ReadAsync(read with { After = after.Next })).HeldBack);
    }

    [Fact]
    public async Task AChangeHeldBackByAnOlderOpenTransaction_ReachesALiveSubscriberSoonAfterItEnds_WithoutAnotherWriteOrTheInterval()
    {
        // An interval far beyond the test: a delivery here comes from the reader looking again by itself.
        var (host, _) = await StartAsync(o => o.Events.LiveInterval = TimeSpan.FromMinutes(5));
        var live = host.Services.GetRequiredService<INexusLive>();
        var state = host.Services.GetRequiredService<INexusState>();
        await state.SetAsync("held", "warm", "0");
        var sink = new Sink();
        await using var sub = await live.SubscribeAsync(new LiveRequest("s1", "held", [LiveChannel.Parse("state:k", null)], null), sink);

        var (connection, open) = await OpenOlderTransactionAsync();
        await using (connection)
        await using (open)
        {
            await state.SetAsync("held", "k", "1");
            // The write woke the reader, whose read finds the change behind the horizon; nothing else will wake it.
            await Eventually.UntilAsync(() => LiveProbe.HeldBackReads(host.Services, "held") > 0,
                timeout: TimeSpan.FromSeconds(20), because: "the reader woken by the write found the change held back");
            Assert.False(sink.Reader.TryRead(out var early), $"delivered before the older transaction ended: {early}");
            await open.CommitAsync();
        }

        var got = await sink.Reader.ReadUntilAsync(d => d.Change.Key == "k", "the held-back change once the older transaction ended",
            TimeSpan.FromSeconds(20));
        Assert.Equal(1L, Assert.Single(got).Change.Version);
    }

    private sealed class Sink : ILiveSink
    {
        private readonly Channel<LiveDelivery> _channel = Channel.CreateUnbounded<LiveDelivery>();

        public ChannelReader<LiveDelivery> Reader => _channel.Reader;

        public bool TryWrite(LiveDelivery delivery) => _channel.Writer.TryWrite(delivery);
    }
}
