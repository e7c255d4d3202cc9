using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Nexus.Server.Auth;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Auth;

/// <summary>A server started in development mode (--dev): anonymous from this machine only.</summary>
public sealed class DevServer : IAsyncLifetime
{
    public ServerHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:Auth:AnonymousLoopback"] = "true" });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Development mode lets a new user submit from the same machine without credentials, and nothing else.</summary>
public sealed class DevModeTests(DevServer server) : IClassFixture<DevServer>
{
    [Fact]
    public async Task FromThisMachine_NoCredentialsAreNeeded()
    {
        using var client = server.Host.Client();
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal("anonymous-loopback", me.GetProperty("method").GetString());
        Assert.Equal("admin", me.GetProperty("roles")[0].GetString());
        var id = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"dev.txt","words":10}}""");
        await client.WaitForStateAsync(id, "succeeded");
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("X-Real-IP", "203.0.113.9")]
    [InlineData("Via", "1.1 proxy.example")]
    [InlineData("X-Client-IP", "203.0.113.9")]
    [InlineData("True-Client-IP", "203.0.113.9")]
    [InlineData("CF-Connecting-IP", "203.0.113.9")]
    [InlineData("X-Original-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Cluster-Client-IP", "203.0.113.9")]
    [InlineData("Fastly-Client-IP", "203.0.113.9")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("X-Forwarded-Server", "proxy.example")]
    [InlineData("X-Forwarded-Prefix", "/nexus")]
    [InlineData("Forwarded-For", "203.0.113.9")]
    [InlineData("Client-IP", "203.0.113.9")]
    [InlineData("X-ProxyUser-Ip", "203.0.113.9")]
    [InlineData("X-Envoy-External-Address", "203.0.113.9")]
    [InlineData("X-Azure-ClientIP", "203.0.113.9")]
    [InlineData("X-Appengine-User-IP", "203.0.113.9")]
    [InlineData("Origin", "http://evil.example")]
    public async Task ThroughAProxy_OrFromAForeignPage_CredentialsAreStillNeeded(string header, string value)
    {
        using var client = server.Host.Client();
        client.DefaultRequestHeaders.Add(header, value);
        await (await client.GetAsync("/api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task ALoopbackOrigin_IsAllowed_AndAForeignHostNameIsNot()
    {
        using var client = server.Host.Client();
        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        local.Headers.Add("Origin", "http://localhost:3000");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(local)).StatusCode);

        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        rebound.Headers.Host = "attacker.example";
        await (await client.SendAsync(rebound)).ProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task ServerInfo_SaysDevelopmentModeIsOn()
    {
        using var client = server.Host.Client();
        var info = await (await client.GetAsync("/api/v1/server")).JsonAsync();
        Assert.True(info.GetProperty("auth").GetProperty("anonymousLoopback").GetBoolean());
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://127.0.0.1:5080;http://192.0.2.10:5080")]
    public void DevMode_RefusesToStart_OnANonLoopbackAddress(string urls)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => NexusServer.Build(["--dev", "--Nexus:Urls", urls]));
        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DevMode_RefusesToStart_WhenTheUrlsShortcutNamesTheNetwork()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => NexusServer.Build(["--dev", "--urls", "http://0.0.0.0:5080"]));
        Assert.Contains("0.0.0.0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kestrel:Endpoints:Public:Url")]
    [InlineData("urls")]
    public void DevMode_RefusesToStart_WhenKestrelsOwnSettingsNameTheNetwork(string key)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => NexusServer.Build(["--dev"], b =>
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = "http://0.0.0.0:0" })));
        Assert.Contains("0.0.0.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevMode_StopsAtStart_WhenTheServerIsBoundToTheNetworkAnyway()
    {
        // An address given to Kestrel in code (as a hosting application might) is seen by no configuration check:
        // the addresses actually bound are checked after start.
        var folder = Path.Combine(Path.GetTempPath(), "nexus-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await using var app = NexusServer.Build(["--dev"], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Nexus:Urls"] = "http://127.0.0.1:0",
                ["Nexus:Sqlite"] = $"Data Source={Path.Combine(folder, "nexus.db")}",
                ["Nexus:ArtifactsRoot"] = Path.Combine(folder, "generated"),
                ["Nexus:RunWorkers"] = "false",
            });
            b.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Any, 0));
        });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
        await app.StopAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://127.0.0.2:0", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://example.com:5080", false)]
    public void LoopbackUrls_AreRecognised(string url, bool loopback) => Assert.Equal(loopback, Loopback.IsLoopbackUrl(url));

    [Fact]
    public void ARemoteAddress_IsNotLocal()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Host = new Microsoft.AspNetCore.Http.HostString("127.0.0.1:5080");
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        Assert.False(Loopback.IsLocal(context));
        context.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:127.0.0.1");
        Assert.True(Loopback.IsLocal(context));
        context.Connection.RemoteIpAddress = IPAddress.IPv6Loopback;
        Assert.True(Loopback.IsLocal(context));
    }
}
