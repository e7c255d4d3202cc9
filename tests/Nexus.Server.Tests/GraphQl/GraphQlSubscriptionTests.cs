using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.GraphQl;

/// <summary>Subscriptions over graphql-transport-ws with a real <see cref="ClientWebSocket"/>: events by namespace, topic
/// pattern and filter, from a position, in log order; the protocol's rules; the handshake's authentication.</summary>
public abstract class GraphQlSubscriptionTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private const string Subscription = "subscription($ns: String!, $pattern: String, $filter: JSON, $after: String) { events(namespace: $ns, pattern: $pattern, filter: $filter, after: $after) { position topic payload } }";

    private async Task<string> NamespaceAsync(HttpClient admin)
    {
        var ns = "gs" + Guid.NewGuid().ToString("N")[..10];
        await (await admin.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        return ns;
    }

    private static Task<long> EmitAsync(HttpClient client, string ns, string topic, string payload) =>
        client.PostJsonAsync($"/api/v1/namespaces/{ns}/topics/{topic}", payload).ContinueWith(async t => (await t.Result.JsonAsync()).GetProperty("position").GetInt64()).Unwrap();

    [Fact]
    public async Task Events_FromAPosition_WithPatternAndFilter_ArriveInLogOrder_AndCompleteStops()
    {
        using var admin = Host.Admin();
        var ns = await NamespaceAsync(admin);
        var start = await EmitAsync(admin, ns, "orders.created", """{"priority":"high","n":0}""");
        await EmitAsync(admin, ns, "orders.created", """{"priority":"high","n":1}""");
        await EmitAsync(admin, ns, "orders.created", """{"priority":"low","n":2}""");
        await EmitAsync(admin, ns, "users.created", """{"priority":"high","n":3}""");

        var log = await Nexus.Testing.Eventually.UntilAsync(async () => await (await admin.GetAsync($"/api/v1/namespaces/{ns}/events")).JsonAsync(),
            l => l.GetProperty("events").GetArrayLength() == 4, because: "the four events to be readable");
        Assert.Equal(start, log.GetProperty("events")[0].GetProperty("position").GetInt64());
        var after = log.GetProperty("events")[0].GetProperty("cursor").GetString();

        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await socket.SubscribeAsync("s1", Subscription, new { ns, pattern = "orders.>", filter = new Dictionary<string, object> { ["payload.priority"] = new Dictionary<string, string> { ["$eq"] = "high" } }, after });
        var first = await socket.NextAsync();
        Assert.Equal("next", first.GetProperty("type").GetString());
        Assert.Equal("s1", first.GetProperty("id").GetString());
        Assert.Equal(1, first.GetProperty("payload").GetProperty("data").GetProperty("events").GetProperty("payload").GetProperty("n").GetInt32());

        // Live: written after the subscription started.
        await EmitAsync(admin, ns, "orders.paid", """{"priority":"low","n":4}""");
        await EmitAsync(admin, ns, "orders.paid", """{"priority":"high","n":5}""");
        var live = await socket.NextAsync();
        Assert.Equal(5, live.GetProperty("payload").GetProperty("data").GetProperty("events").GetProperty("payload").GetProperty("n").GetInt32());
        Assert.Equal("orders.paid", live.GetProperty("payload").GetProperty("data").GetProperty("events").GetProperty("topic").GetString());

        await socket.SendAsync(new { id = "s1", type = "complete" });
        await socket.SendAsync(new { type = "ping" });
        var pong = await socket.ReceiveAsync();
        Assert.Equal("pong", pong?.GetProperty("type").GetString());
        await EmitAsync(admin, ns, "orders.paid", """{"priority":"high","n":6}""");
        // A query on the same connection answers next + complete; had s1 still run, its event would come first.
        await socket.SubscribeAsync("q1", "query($ns: String!) { events(namespace: $ns, pattern: \"orders.paid\") { events { position } } }", new { ns });
        var answer = await socket.NextAsync();
        Assert.Equal("q1", answer.GetProperty("id").GetString());
        Assert.Equal(3, answer.GetProperty("payload").GetProperty("data").GetProperty("events").GetProperty("events").GetArrayLength());
        Assert.Equal("complete", (await socket.NextAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Events_WithoutAPosition_StartAtTheEnd_AndAMutationRunsOverTheSocket()
    {
        using var admin = Host.Admin();
        var ns = await NamespaceAsync(admin);
        await EmitAsync(admin, ns, "old.one", """{"n":0}""");
        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await socket.SubscribeAsync("s", Subscription, new { ns });
        // The subscription has read the end of the log before this mutation's answer comes (one connection, in order).
        await socket.SubscribeAsync("m", "mutation($ns: String!) { publishEvent(namespace: $ns, topic: \"new.one\", payload: {n: 1}) { position } }", new { ns });
        var messages = new List<JsonElement>();
        while (!messages.Any(m => m.GetProperty("id").GetString() == "s")) messages.Add(await socket.NextAsync());
        var pushed = messages.Single(m => m.GetProperty("id").GetString() == "s");
        Assert.Equal("new.one", pushed.GetProperty("payload").GetProperty("data").GetProperty("events").GetProperty("topic").GetString());
    }

    [Fact]
    public async Task StateChanges_ArriveAsDollarStateEvents_AndAreLeftOutWithoutAPattern()
    {
        using var admin = Host.Admin();
        var ns = await NamespaceAsync(admin);
        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await socket.SubscribeAsync("state", Subscription, new { ns, pattern = "$state.carts.>" });
        await socket.SubscribeAsync("users", Subscription, new { ns });
        // Both subscriptions are fixed at the log's head before the mutation below is read (one connection, in order); the
        // event emitted over REST waits for the mutation's answer, else the server could take it before the subscribes.
        await socket.SubscribeAsync("m", "mutation($ns: String!) { setState(namespace: $ns, key: \"carts/42\", value: {items: 2}) { version } }", new { ns });
        var messages = new List<JsonElement>();
        while (!messages.Any(m => m.GetProperty("id").GetString() == "m")) messages.Add(await socket.NextAsync());
        await EmitAsync(admin, ns, "orders.created", """{"n":1}""");

        while (messages.Count(m => m.GetProperty("id").GetString() is "state" or "users") < 2) messages.Add(await socket.NextAsync());
        var state = messages.Single(m => m.GetProperty("id").GetString() == "state").GetProperty("payload").GetProperty("data").GetProperty("events");
        Assert.Equal("$state.carts.42", state.GetProperty("topic").GetString());
        var users = messages.Single(m => m.GetProperty("id").GetString() == "users").GetProperty("payload").GetProperty("data").GetProperty("events");
        Assert.Equal("orders.created", users.GetProperty("topic").GetString());
    }

    [Fact]
    public async Task Handshake_WithoutCredentials_IsRefused()
    {
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => GraphQlSocket.ConnectAsync(Host.Address, null));
        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<WebSocketException>(() => GraphQlSocket.ConnectAsync(Host.Address, "nx_not-a-key"));
        Assert.Contains("401", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_FromAForeignOrigin_IsRefused_WithoutOne_OrFromTheServersOwn_ItIsAccepted()
    {
        // Cross-site WebSocket hijacking: another site's page opening /graphql with the visitor's credentials.
        var foreign = await Assert.ThrowsAsync<WebSocketException>(() => GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey, origin: "https://evil.example"));
        Assert.Contains("403", foreign.Message, StringComparison.Ordinal);
        var lookalike = await Assert.ThrowsAsync<WebSocketException>(() => GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey, origin: $"http://{Host.Address.Host}.evil.example:{Host.Address.Port}"));
        Assert.Contains("403", lookalike.Message, StringComparison.Ordinal);

        await using (var none = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey))
        {
            await none.SendAsync(new { type = "ping" });
            Assert.Equal("pong", (await none.ReceiveAsync())?.GetProperty("type").GetString());
        }
        await using var own = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey, origin: $"http://{Host.Address.Authority}");
        await own.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await own.ReceiveAsync())?.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Protocol_SubscribeBeforeInit_Closes4401_AndADuplicateIdCloses4409()
    {
        await using (var early = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey, init: false))
        {
            await early.SubscribeAsync("x", "{ namespaces { name } }");
            Assert.Null(await early.ReceiveAsync());
            Assert.Equal(4401, (int?)early.CloseStatus);
        }
        using var admin = Host.Admin();
        var ns = await NamespaceAsync(admin);
        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await socket.SubscribeAsync("dup", Subscription, new { ns });
        await socket.SubscribeAsync("dup", Subscription, new { ns });
        Assert.Null(await socket.ReceiveAsync());
        Assert.Equal(4409, (int?)socket.CloseStatus);
    }

    [Fact]
    public async Task Subscription_ToAnotherNamespace_OrWithABadFilter_AnswersAnErrorMessage()
    {
        using var admin = Host.Admin();
        var own = await NamespaceAsync(admin);
        var other = await NamespaceAsync(admin);
        var key = (await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"gs-{{own}}","role":"viewer","namespaces":["{{own}}"]}""")).JsonAsync(HttpStatusCode.Created))
            .GetProperty("key").GetString()!;
        await using var socket = await GraphQlSocket.ConnectAsync(Host.Address, key);
        await socket.SubscribeAsync("o", Subscription, new { ns = other });
        var refused = await socket.NextAsync();
        Assert.Equal("o", refused.GetProperty("id").GetString());
        Assert.True(refused.GetProperty("type").GetString() is "error" or "next", refused.ToString());
        Assert.Contains("namespace-not-found", refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"data\":{", refused.ToString(), StringComparison.Ordinal);

        await socket.SubscribeAsync("f", Subscription, new { ns = own, filter = new Dictionary<string, object> { ["n"] = new Dictionary<string, int> { ["$nope"] = 1 } } });
        var bad = await socket.NextAsync();
        Assert.Equal("f", bad.GetProperty("id").GetString());
        Assert.Contains("filter", bad.ToString(), StringComparison.Ordinal);

        // A subscription over plain HTTP is refused with a message saying where it runs.
        var (status, body) = await Host.Admin().GraphQlAsync(Subscription, new { ns = own });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        GraphQlHttp.FirstError(body, "subscription-needs-websocket");
    }
}

public sealed class SqliteGraphQlSubscriptionTests(SqliteServer server) : GraphQlSubscriptionTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresGraphQlSubscriptionTests(PostgresServer server) : GraphQlSubscriptionTests(server), IClassFixture<PostgresServer>;

/// <summary>A socket that never says <c>connection_init</c> is closed with 4408 once the configured wait has passed.</summary>
public sealed class GraphQlInitTimeoutTests
{
    [Fact]
    public async Task NoConnectionInit_IsClosedWith4408()
    {
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:GraphQl:ConnectionInitTimeout"] = "00:00:00.300" });
        await using var socket = await GraphQlSocket.ConnectAsync(host.Address, ServerHost.BootstrapKey, init: false);
        Assert.Null(await socket.ReceiveAsync());
        Assert.Equal(4408, (int?)socket.CloseStatus);
        Assert.Equal("Connection initialisation timeout", socket.CloseDescription);
    }
}

/// <summary>An origin listed in <c>Nexus:Live:AllowedOrigins</c> may open /graphql's WebSocket as it may /ws.</summary>
public sealed class GraphQlAllowedOriginTests
{
    [Fact]
    public async Task AnAllowedOrigin_IsAccepted_AndAnotherStillRefused()
    {
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:Live:AllowedOrigins:0"] = "https://app.example" });
        await using (var allowed = await GraphQlSocket.ConnectAsync(host.Address, ServerHost.BootstrapKey, origin: "https://app.example"))
        {
            await allowed.SendAsync(new { type = "ping" });
            Assert.Equal("pong", (await allowed.ReceiveAsync())?.GetProperty("type").GetString());
        }
        var other = await Assert.ThrowsAsync<WebSocketException>(() => GraphQlSocket.ConnectAsync(host.Address, ServerHost.BootstrapKey, origin: "https://other.example"));
        Assert.Contains("403", other.Message, StringComparison.Ordinal);
    }
}
