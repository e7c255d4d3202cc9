using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Documents;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Live;

/// <summary>/ws with real WebSocket clients against the server: pushes of created / updated (slim patch, matched
/// channels) / deleted in order with their cursors; handshake refusals (no or bad credentials, a foreign Origin, a bad
/// or expired token); another namespace never delivered; one device on several connections; resume after random
/// drops while writes go on, ending with the store's copy.</summary>
public sealed class WebSocketTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    private static string NewApp() => "live-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<string> KeyAsync(string role, string? namespaces = null)
    {
        using var admin = Host.Admin();
        var body = $$"""{"name":"k-{{Guid.NewGuid():N}}","role":"{{role}}"{{(namespaces is null ? "" : $",\"namespaces\":[\"{namespaces}\"]")}}}""";
        return (await (await admin.PostJsonAsync("/api/v1/keys", body)).JsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
    }

    [Fact]
    public async Task ASubscriber_GetsCreatedUpdatedDeleted_InOrder_WithSlimPatchesAndMatchedChannels()
    {
        using var admin = Host.Admin();
        var app = NewApp();
        await using var live = await LiveClient.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        Assert.Equal("welcome", (await live.NextAsync("welcome")).GetProperty("type").GetString());
        await live.SubscribeAsync("s1", app, """[{"channel":"docs:orders","filter":{"priority":{"$eq":"high"}}},"docs:orders/o-2"]""");
        var subscribed = await live.NextAsync("subscribed");

        await (await admin.PostJsonAsync($"/api/v1/apps/{app}/models/orders/documents", """{"id":"o-1","document":{"priority":"high","status":"new"}}""")).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/v1/apps/{app}/models/orders/documents", """{"id":"o-3","document":{"priority":"low"}}""")).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/v1/apps/{app}/models/orders/documents", """{"id":"o-2","document":{"priority":"low"}}""")).JsonAsync(HttpStatusCode.Created);
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/apps/{app}/models/orders/documents/o-1")
        {
            Content = new StringContent("""[{"op":"replace","path":"/status","value":"paid"}]""", System.Text.Encoding.UTF8, "application/json-patch+json"),
        })
        {
            Assert.True((await admin.SendAsync(patch)).IsSuccessStatusCode);
        }
        Assert.True((await admin.DeleteAsync($"/api/v1/apps/{app}/models/orders/documents/o-1")).IsSuccessStatusCode);

        var changes = new List<JsonElement>();
        for (var i = 0; i < 4; i++) changes.Add(await live.NextAsync("change"));

        Assert.Equal(app, subscribed.GetProperty("namespace").GetString());
        Assert.Equal(["o-1 created docs:orders", "o-2 created docs:orders/o-2", "o-1 updated docs:orders", "o-1 deleted docs:orders"],
            changes.Select(c => $"{c.GetProperty("id").GetString()} {c.GetProperty("op").GetString()} {string.Join(",", c.GetProperty("channels").EnumerateArray().Select(x => x.GetString()))}"));
        Assert.Equal("""[{"op":"replace","path":"/status","value":"paid"}]""", changes[2].GetProperty("patch").GetRawText());
        Assert.False(changes[2].TryGetProperty("document", out _));
        Assert.Equal("new", changes[0].GetProperty("document").GetProperty("status").GetString());
        Assert.True(changes.Select(c => c.GetProperty("position").GetInt64()).Zip(changes.Skip(1).Select(c => c.GetProperty("position").GetInt64())).All(p => p.First < p.Second));
        Assert.All(changes, c => Assert.Equal("s1", c.GetProperty("sub").GetString()));
    }

    [Fact]
    public async Task TheHandshake_RefusesMissingOrBadCredentials_AForeignOrigin_AndABadOrExpiredToken()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HandshakeRefusedException>(() => LiveClient.ConnectAsync(Host.Address))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HandshakeRefusedException>(() => LiveClient.ConnectAsync(Host.Address, "nx_not-a-key"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<HandshakeRefusedException>(() => LiveClient.ConnectAsync(Host.Address, ServerHost.BootstrapKey, origin: "https://evil.example"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HandshakeRefusedException>(() => LiveClient.ConnectAsync(Host.Address, query: "access_token=nxl_eyJ9.AAAA"))).Status);

        // A minted token opens a connection from a browser-like client (no headers but its own origin)...
        using var admin = Host.Admin();
        var minted = await (await admin.PostAsync("/api/v1/live/tokens?device=phone-1", null)).JsonAsync();
        var token = minted.GetProperty("token").GetString()!;
        await using (var ok = await LiveClient.ConnectAsync(Host.Address, query: "access_token=" + Uri.EscapeDataString(token), origin: $"http://{Host.Address.Authority}"))
        {
            Assert.Equal("phone-1", (await ok.NextAsync("welcome")).GetProperty("device").GetString());
        }
        // ...but a tampered one does not, nor does it work on an ordinary route.
        var tampered = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<HandshakeRefusedException>(() => LiveClient.ConnectAsync(Host.Address, query: "access_token=" + Uri.EscapeDataString(tampered)))).Status);
        using var anonymous = Host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/whoami?access_token=" + Uri.EscapeDataString(token))).StatusCode);
    }

    [Fact]
    public async Task AnotherNamespace_IsNeverDelivered()
    {
        var mine = NewApp();
        var theirs = NewApp();
        var key = await KeyAsync("operator", mine);
        using var admin = Host.Admin();
        await using var live = await LiveClient.ConnectAsync(Host.Address, key);
        await live.SubscribeAsync("theirs", theirs, """["state-prefix:"]""");
        var refused = await live.NextAsync("error");
        await live.SubscribeAsync("mine", mine, """["state-prefix:","events:$state.>"]""");
        await live.NextAsync("subscribed");

        await (await admin.PutAsync($"/api/v1/namespaces/{theirs}/state/secret", new StringContent("""{"value":"theirs"}""", System.Text.Encoding.UTF8, "application/json"))).JsonAsync();
        await (await admin.PutAsync($"/api/v1/namespaces/{mine}/state/k", new StringContent("""{"value":"mine"}""", System.Text.Encoding.UTF8, "application/json"))).JsonAsync();
        var change = await live.NextAsync("change");

        Assert.Equal(("theirs", "namespace-not-found"), (refused.GetProperty("sub").GetString(), refused.GetProperty("code").GetString()));
        Assert.Equal((mine, "k", "mine"), (change.GetProperty("namespace").GetString(), change.GetProperty("key").GetString(), change.GetProperty("value").GetString()));
        Assert.Equal(["state-prefix:", "events:$state.>"], change.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.DoesNotContain("theirs", change.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneDevice_HoldsSeveralConnections_EachGettingItsChanges_AndLeavingOnClose()
    {
        var app = NewApp();
        var connections = Host.Services.GetRequiredService<Nexus.Server.Live.LiveConnections>();
        using var admin = Host.Admin();
        var token = (await (await admin.PostAsync("/api/v1/live/tokens?device=tablet-7", null)).JsonAsync()).GetProperty("token").GetString()!;
        var a = await LiveClient.ConnectAsync(Host.Address, query: "access_token=" + Uri.EscapeDataString(token));
        var b = await LiveClient.ConnectAsync(Host.Address, query: "access_token=" + Uri.EscapeDataString(token));
        foreach (var c in new[] { a, b })
        {
            await c.SubscribeAsync("s", app, """["state:k"]""");
            await c.NextAsync("subscribed");
        }
        Assert.Equal(2, connections.Of("tablet-7"));

        await (await admin.PutAsync($"/api/v1/namespaces/{app}/state/k", new StringContent("""{"value":1}""", System.Text.Encoding.UTF8, "application/json"))).JsonAsync();
        Assert.Equal(1, (await a.NextAsync("change")).GetProperty("version").GetInt64());
        Assert.Equal(1, (await b.NextAsync("change")).GetProperty("version").GetInt64());

        await a.DisposeAsync();
        b.Abort();
        await b.DisposeAsync();
        await Nexus.Testing.Eventually.UntilAsync(() => connections.Of("tablet-7") == 0, because: "both connections to leave");
    }

    [Fact]
    public async Task DropsAtRandom_WhileWritesGoOn_ResumeWithNoGapNorDuplicate_AndTheCopyEqualsTheStore()
    {
        var app = NewApp();
        using var admin = Host.Admin();
        const int Docs = 4, Writes = 120;
        for (var d = 0; d < Docs; d++)
        {
            await (await admin.PostJsonAsync($"/api/v1/apps/{app}/models/items/documents", $$$"""{"id":"d{{{d}}}","document":{"n":0,"tags":[]}}""")).JsonAsync(HttpStatusCode.Created);
        }
        // The copy starts from a snapshot read after taking the head's cursor (docs/realtime.md): nothing falls between.
        var copy = new Dictionary<string, JsonNode?>();
        string? cursor = null;
        await using (var first = await LiveClient.ConnectAsync(Host.Address, ServerHost.BootstrapKey))
        {
            await first.SubscribeAsync("s", app, """["docs:items"]""");
            cursor = (await first.NextAsync("subscribed")).GetProperty("cursor").GetString();
        }
        var listed = await (await admin.GetAsync($"/api/v1/apps/{app}/models/items/documents?limit=100")).JsonAsync();
        foreach (var item in listed.GetProperty("items").EnumerateArray()) copy[item.GetProperty("id").GetString()!] = JsonNode.Parse(item.GetProperty("document").GetRawText());

        var writer = Task.Run(async () =>
        {
            using var client = Host.Admin();
            for (var i = 1; i <= Writes; i++)
            {
                var body = $$"""[{"op":"replace","path":"/n","value":{{i}}},{"op":"add","path":"/tags/-","value":"t{{i}}"}]""";
                using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/apps/{app}/models/items/documents/d{i % Docs}")
                {
                    Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json-patch+json"),
                };
                Assert.True((await client.SendAsync(patch)).IsSuccessStatusCode);
            }
            Assert.True((await client.DeleteAsync($"/api/v1/apps/{app}/models/items/documents/d0")).IsSuccessStatusCode);
        });

        var random = new Random(7);
        var seen = new HashSet<long>();
        var done = false;
        var connections = 0;
        while (!done)
        {
            await using var live = await LiveClient.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
            connections++;
            await live.SubscribeAsync("s", app, """["docs:items"]""", cursor);
            var take = random.Next(1, 25);
            for (var n = 0; n < take && !done; n++)
            {
                var c = await live.NextAsync("change");
                Assert.True(seen.Add(c.GetProperty("position").GetInt64()), "a change delivered twice");
                var id = c.GetProperty("id").GetString()!;
                switch (c.GetProperty("op").GetString())
                {
                    case "updated":
                        copy[id] = JsonNode.Parse(JsonPatch.Apply(copy[id]!.ToJsonString(), c.GetProperty("patch").GetRawText()));
                        break;
                    case "deleted":
                        copy.Remove(id);
                        done = id == "d0";
                        break;
                    default:
                        copy[id] = JsonNode.Parse(c.GetProperty("document").GetRawText());
                        break;
                }
                cursor = c.GetProperty("cursor").GetString();
            }
            if (random.Next(2) == 0) live.Abort();
        }
        await writer;

        Assert.True(connections > 3, $"only {connections} connections");
        for (var d = 0; d < Docs; d++)
        {
            var stored = await admin.GetAsync($"/api/v1/apps/{app}/models/items/documents/d{d}");
            if (d == 0)
            {
                Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
                Assert.False(copy.ContainsKey("d0"));
                continue;
            }
            var document = (await stored.JsonAsync()).GetProperty("document").GetRawText();
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(document), copy[$"d{d}"]), $"d{d}: store {document}, copy {copy[$"d{d}"]?.ToJsonString()}");
        }
    }
}
