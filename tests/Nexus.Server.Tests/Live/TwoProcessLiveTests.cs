using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.Server.Tests.Live;

/// <summary>Two real server processes on one PostgreSQL: a change written through one reaches WebSocket clients of the
/// other (NOTIFY as the wake-up, the log as the truth), and a client dropped at random that reconnects to either
/// process, resuming from its last cursor while writes go through both, ends with the store's copy — no gap, no
/// duplicate.</summary>
public sealed class TwoProcessLiveTests
{
    [Fact]
    public async Task ChangesThroughEitherProcess_ReachClientsOfBoth_AcrossRandomDrops()
    {
        var pg = await PostgresTestServer.GetAsync();
        var schema = pg.NewSchema();
        string[] Args() => ["--Nexus:Store=postgres", $"--Nexus:Postgres={pg.ConnectionString}", $"--Nexus:PostgresSchema={schema}"];
        await using var a = ServerProcess.Start("live-a", Args());
        var urlA = new Uri(await a.AddressAsync());
        await using var b = ServerProcess.Start("live-b", Args());
        var urlB = new Uri(await b.AddressAsync());
        var servers = new[] { urlA, urlB };
        var ns = "two-" + Guid.NewGuid().ToString("N")[..8];
        using var clientA = new HttpClient { BaseAddress = urlA };
        using var clientB = new HttpClient { BaseAddress = urlB };
        const int Keys = 4, Writes = 80;

        // First: one write through A reaches a client of B.
        string cursor;
        var seen = new HashSet<long>();
        await using (var onB = await LiveClient.ConnectAsync(urlB))
        {
            await onB.SubscribeAsync("s", ns, """["state-prefix:k/"]""");
            cursor = (await onB.NextAsync("subscribed")).GetProperty("cursor").GetString()!;
            await (await clientA.PutAsync($"/api/v1/namespaces/{ns}/state/k/0", Json("""{"value":{"n":0}}"""))).JsonAsync();
            var first = await onB.NextAsync("change");
            Assert.Equal(("k/0", 1L), (first.GetProperty("key").GetString(), first.GetProperty("version").GetInt64()));
            cursor = first.GetProperty("cursor").GetString()!;
            seen.Add(first.GetProperty("position").GetInt64());
        }

        var writer = Task.Run(async () =>
        {
            for (var i = 1; i <= Writes; i++)
            {
                var through = i % 2 == 0 ? clientA : clientB;
                await (await through.PutAsync($"/api/v1/namespaces/{ns}/state/k/{i % Keys}", Json($$$"""{"value":{"n":{{{i}}}}}"""))).JsonAsync();
            }
            await (await clientA.PutAsync($"/api/v1/namespaces/{ns}/state/k/end", Json("""{"value":"end"}"""))).JsonAsync();
        });

        var copy = new Dictionary<string, string> { ["k/0"] = """{"n":0}""" };
        var random = new Random(3);
        var done = false;
        var reconnects = 0;
        while (!done)
        {
            await using var live = await LiveClient.ConnectAsync(servers[reconnects++ % 2]);
            await live.SubscribeAsync("s", ns, """["state-prefix:k/"]""", cursor);
            var take = random.Next(1, 15);
            for (var n = 0; n < take && !done; n++)
            {
                var c = await live.NextAsync("change");
                Assert.True(seen.Add(c.GetProperty("position").GetInt64()), "a change delivered twice");
                copy[c.GetProperty("key").GetString()!] = c.GetProperty("value").GetRawText();
                cursor = c.GetProperty("cursor").GetString()!;
                done = c.GetProperty("key").GetString() == "k/end";
            }
            if (random.Next(2) == 0) live.Abort();
        }
        await writer;

        Assert.True(reconnects > 3, $"only {reconnects} connections");
        Assert.Equal(Writes + 2, seen.Count);
        for (var k = 0; k < Keys; k++)
        {
            var stored = (await (await clientB.GetAsync($"/api/v1/namespaces/{ns}/state/k/{k}")).JsonAsync()).GetProperty("value").GetRawText();
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(copy[$"k/{k}"])), $"k/{k}: store {stored}, copy {copy[$"k/{k}"]}");
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
