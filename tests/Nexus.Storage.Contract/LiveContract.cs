using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Documents;
using Nexus.Events;
using Nexus.Live;
using Nexus.State;
using Nexus.Storage;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Live subscriptions over the log on the driver under test: channels with filters, in order, resume from a
/// cursor with no gap and no duplicate (also while subscriptions drop at random and writes go on), an explicit
/// resync when retention passed the cursor, and a slow consumer cut off at its bound.</summary>
public abstract class LiveContract : EngineHarness
{
    private async Task<(INexusLive Live, INexusState State, INexusDocuments Docs)> StartLiveAsync()
    {
        var (host, _) = await StartAsync();
        var hub = host.Services.GetRequiredService<LiveHub>();
        hub.PollInterval = TimeSpan.FromMilliseconds(100);
        return (hub, host.Services.GetRequiredService<INexusState>(), host.Services.GetRequiredService<INexusDocuments>());
    }

    private static LiveRequest Request(string ns, LogCursor? after, params (string Channel, string? Filter)[] channels) =>
        new("s1", ns, [.. channels.Select(c => LiveChannel.Parse(c.Channel, c.Filter))], after);

    [Fact]
    public async Task ASubscription_GetsItsChannelsChanges_InOrder_WithTheChannelsTheyMatched()
    {
        var (live, state, docs) = await StartLiveAsync();
        await docs.CreateAsync("shop", "orders", """{"priority":"low"}""", "warmup");
        var sink = new Sink(1000);
        await using var sub = await live.SubscribeAsync(Request("shop", null,
            ("docs:orders", """{"priority":{"$eq":"high"}}"""), ("docs:orders/o-2", null), ("state-prefix:carts/", null)), sink);

        await docs.CreateAsync("shop", "orders", """{"priority":"high","n":1}""", "o-1");
        await docs.CreateAsync("shop", "orders", """{"priority":"low"}""", "o-2");
        await docs.CreateAsync("shop", "orders", """{"priority":"low"}""", "o-3");
        await docs.PatchAsync("shop", "orders", "o-1", """[{"op":"replace","path":"/n","value":2}]""");
        await state.SetAsync("shop", "carts/1", "1");
        await state.SetAsync("shop", "other", "1");
        await docs.DeleteAsync("shop", "orders", "o-1");

        var got = await sink.Reader.ReadUntilAsync(d => d.Change.Op == "deleted", "the deletion of o-1");
        Assert.Equal(
            ["o-1 created docs:orders", "o-2 created docs:orders/o-2", "o-1 updated docs:orders", "carts/1 created state-prefix:carts/", "o-1 deleted docs:orders"],
            got.Select(d => $"{d.Change.Id ?? d.Change.Key} {d.Change.Op} {string.Join(",", d.Channels)}"));
        Assert.Equal("""[{"op":"replace","path":"/n","value":2}]""", JsonNode.Parse(got[2].Change.PatchJson!)!.ToJsonString());
        Assert.True(got.Zip(got.Skip(1)).All(p => p.First.Change.Cursor < p.Second.Change.Cursor));
        Assert.All(got, d => Assert.Equal(("s1", "shop"), (d.SubscriptionId, d.Namespace)));
    }

    [Fact]
    public async Task Resuming_FromACursor_GivesExactlyWhatWasMissed()
    {
        var (live, state, _) = await StartLiveAsync();
        var head = await live.HeadAsync("app");
        for (var i = 1; i <= 5; i++) await state.SetAsync("app", "k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var first = new Sink(1000);
        var sub = await live.SubscribeAsync(Request("app", head, ("state:k", null)), first);
        var seen = await first.Reader.ReadUntilAsync(d => d.Change.Version == 5, "versions 1-5 from the log");
        await sub.DisposeAsync();
        for (var i = 6; i <= 8; i++) await state.SetAsync("app", "k", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var second = new Sink(1000);
        await using var resumed = await live.SubscribeAsync(Request("app", seen[^1].Change.Cursor, ("state:k", null)), second);
        await state.SetAsync("app", "k", "9");
        var rest = await second.Reader.ReadUntilAsync(d => d.Change.Version == 9, "versions 6-9");

        Assert.Equal([1L, 2, 3, 4, 5], seen.Select(d => d.Change.Version));
        Assert.Equal([6L, 7, 8, 9], rest.Select(d => d.Change.Version));
    }

    [Fact]
    public async Task DroppingAndResumingAtRandom_WhileWritesGoOn_EndsWithTheStoresCopy()
    {
        var (live, state, _) = await StartLiveAsync();
        const int Keys = 5, Writes = 150;
        var head = await live.HeadAsync("app");
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Writes; i++) await state.SetAsync("app", $"k/{i % Keys}", $$"""{"n":{{i}}}""");
            await state.DeleteAsync("app", "k/0");
        });

        var copy = new Dictionary<string, (long Version, string? Value)>();
        var cursor = head;
        var random = new Random(12);
        var versions = new List<(string, long)>();
        var deleted = false;
        while (!deleted)
        {
            var sink = new Sink(1000);
            var sub = await live.SubscribeAsync(Request("app", cursor, ("state-prefix:k/", null)), sink);
            var take = random.Next(1, 20);
            for (var n = 0; n < take && !deleted; n++)
            {
                var d = await sink.Reader.NextAsync("the next change");
                versions.Add((d.Change.Key!, d.Change.Version));
                copy[d.Change.Key!] = (d.Change.Version, d.Change.Op == "deleted" ? null : d.Change.ValueJson);
                cursor = d.Change.Cursor;
                deleted = d.Change.Op == "deleted";
            }
            await sub.DisposeAsync();
        }
        await writer;

        Assert.Equal(versions.Count, versions.Distinct().Count());
        for (var k = 0; k < Keys; k++)
        {
            var stored = await state.GetAsync("app", $"k/{k}");
            Assert.Equal(stored is null ? null : JsonNode.Parse(stored.ValueJson)!.ToJsonString(), copy[$"k/{k}"].Value is { } v ? JsonNode.Parse(v)!.ToJsonString() : null);
            Assert.Equal(Enumerable.Range(1, versions.Count(x => x.Item1 == $"k/{k}")).Select(i => (long)i), versions.Where(x => x.Item1 == $"k/{k}").Select(x => x.Item2));
        }
    }

    [Fact]
    public async Task ACursorRetentionHasPassed_AsksForAResync()
    {
        var (live, state, _) = await StartLiveAsync();
        var start = await live.HeadAsync("app");
        await state.SetAsync("app", "k", "1");
        await Eventually.UntilAsync(async () => (await LastStore!.Events.ReadAsync(new ReadEventsParams("app", start, 10))).Events.Count == 1, because: "the entry to be readable");

        await LastStore!.Events.MaintainAsync(new LogMaintenanceParams(TimeSpan.FromHours(1)) { Now = DateTimeOffset.UtcNow.AddDays(3) });

        var compacted = await Assert.ThrowsAsync<LogCompactedException>(() => live.SubscribeAsync(Request("app", start, ("state:k", null)), new Sink(10)));
        Assert.Equal("resync-needed", compacted.Code);
        Assert.True(compacted.Horizon > start);
        var sink = new Sink(10);
        await using var fresh = await live.SubscribeAsync(Request("app", null, ("state:k", null)), sink);
        await state.SetAsync("app", "k", "2");
        Assert.Equal(2L, (await sink.Reader.NextAsync("the write after the resync")).Change.Version);
    }

    [Fact]
    public async Task ASlowConsumer_IsCutOffAtItsBound_AndOthersGoOn()
    {
        var (live, state, _) = await StartLiveAsync();
        var slow = new Sink(3);
        var fast = new Sink(1000);
        await using var a = await live.SubscribeAsync(Request("app", null, ("state:k", null)), slow);
        await using var b = await live.SubscribeAsync(Request("app", null, ("state:k", null)), fast);

        for (var i = 1; i <= 10; i++) await state.SetAsync("app", "k", "1");
        var all = await fast.Reader.ReadUntilAsync(d => d.Change.Version == 10, "all ten to the fast consumer");

        Assert.Equal(10, all.Count);
        Assert.Equal(1, slow.Refused);
        Assert.Equal(3, slow.Reader.Count);
    }

    [Fact]
    public async Task BadChannels_NameTheField()
    {
        var (live, _, _) = await StartLiveAsync();
        Assert.Equal("channel", Assert.Throws<TaskValidationException>(() => LiveChannel.Parse("nope:x")).Field);
        Assert.Equal("channel", Assert.Throws<TaskValidationException>(() => LiveChannel.Parse("docs:bad model")).Field);
        Assert.Equal("filter", Assert.Throws<TaskValidationException>(() => LiveChannel.Parse("docs:m", """{"a":{"$regex":1}}""")).Field);
        Assert.Equal("channels", (await Assert.ThrowsAsync<TaskValidationException>(() => live.SubscribeAsync(new LiveRequest("s", "app", [], null), new Sink(1)))).Field);
    }

    /// <summary>A bounded sink: refuses when full and counts how often.</summary>
    private sealed class Sink(int capacity) : ILiveSink
    {
        private readonly Channel<LiveDelivery> _channel = Channel.CreateBounded<LiveDelivery>(capacity);
        private int _refused;

        public ChannelReader<LiveDelivery> Reader => _channel.Reader;

        public int Refused => Volatile.Read(ref _refused);

        public bool TryWrite(LiveDelivery delivery)
        {
            if (_channel.Writer.TryWrite(delivery)) return true;
            Interlocked.Increment(ref _refused);
            return false;
        }
    }
}
