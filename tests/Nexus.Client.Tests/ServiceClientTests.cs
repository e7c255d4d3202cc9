using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.Services"/> against the real server: register a TTL instance, heartbeat it to
/// healthy, list with filters, deregister; a bad URL as <see cref="NexusApiException"/> naming the field.</summary>
public sealed class ServiceClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    [Fact]
    public async Task RegisterHeartbeatListDeregister()
    {
        using var http = new HttpClient();
        var client = Clients.For(fixture.Host, http);
        var name = Clients.NewName("svc");

        var registered = await client.Services.RegisterAsync(name, "i1", new ServiceRegistrationRequest { BaseUrl = "http://127.0.0.1:9/", Capabilities = ["pdf"], Ttl = "1m", PassesToHealthy = 1 });
        var beat = await client.Services.HeartbeatAsync(name, "i1");
        var healthy = await client.Services.ListAsync(name, ["pdf"], "healthy");
        var none = await client.Services.ListAsync(name, ["ocr"]);
        await client.Services.DeregisterAsync(name, "i1");
        var gone = await Assert.ThrowsAsync<NexusApiException>(() => client.Services.DeregisterAsync(name, "i1"));
        var bad = await Assert.ThrowsAsync<NexusApiException>(() => client.Services.RegisterAsync(name, "i2", new ServiceRegistrationRequest { BaseUrl = "not a url" }));

        Assert.Equal(("ttl", "starting"), (registered.Check, registered.Health));
        Assert.Equal("healthy", beat.Health);
        Assert.Equal(["i1"], healthy.Select(i => i.Id));
        Assert.Empty(none);
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (gone.Status, gone.Code));
        Assert.Equal(("validation", "baseUrl"), (bad.Code, bad.Field));
    }
}
