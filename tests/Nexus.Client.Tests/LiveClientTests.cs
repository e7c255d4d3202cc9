using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.Live"/>: an <c>IAsyncEnumerable</c> of changes that reconnects by itself after a drop
/// and resumes after its last cursor — every version once, in order; a refused subscription throws.</summary>
public sealed class LiveClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task ASubscription_ResumesByItselfAfterDrops_WithNoGapNorDuplicate()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        client.Live.ReconnectDelay = TimeSpan.FromMilliseconds(20);
        var ns = "lc-" + Guid.NewGuid().ToString("N")[..8];
        await client.State.SetAsync(ns, "counter", "0");
        var start = (await client.State.HistoryAsync(ns, "counter")).Count;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        const int Writes = 40;

        var versions = new List<long>();
        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= Writes; i++) await client.State.SetAsync(ns, "counter", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await foreach (var change in client.Live.SubscribeAsync(ns, [LiveChannelSpec.Of("state:counter")], after: "0-0", ct: stop.Token))
        {
            versions.Add(change.Version);
            if (versions.Count % 7 == 0) client.Live.Drop();
            if (change.Version == Writes + 1) break;
        }
        await writer;

        Assert.Equal(1, start);
        Assert.Equal(Enumerable.Range(1, Writes + 1).Select(v => (long)v), versions);
        Assert.True(client.Live.Connections > 3, $"{client.Live.Connections} connections");
    }

    [Fact]
    public async Task ARefusedSubscription_Throws()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var error = await Assert.ThrowsAsync<NexusApiException>(async () =>
        {
            await foreach (var _ in client.Live.SubscribeAsync("shop", [LiveChannelSpec.Of("nope:x")]))
            {
            }
        });
        Assert.Equal(("validation", "channels[0].channel"), (error.Code, error.Field));
    }
}
