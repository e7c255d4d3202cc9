using System.Net;
using System.Text.Json;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Server.Tests.Services;

namespace Nexus.Client.Tests;

/// <summary><see cref="ServicesClient.InvokeAsync"/> against the real server and a real Kestrel service on loopback:
/// the instance's answer comes back whatever its status (with the instance's id), Nexus's own refusals (no healthy
/// instance, timeout) throw <see cref="NexusApiException"/>.</summary>
public sealed class ServiceInvokeClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    [Fact]
    public async Task Invoke_ReturnsTheInstancesAnswer_AndNexusRefusalsThrow()
    {
        await using var backend = await TestService.StartAsync("s1");
        using var http = new HttpClient();
        var client = Clients.For(fixture.Host, http);
        var name = Clients.NewName("svc");
        await client.Services.RegisterAsync(name, "s1", new ServiceRegistrationRequest { BaseUrl = backend.BaseUrl, Ttl = "1m", PassesToHealthy = 1 });
        await client.Services.HeartbeatAsync(name, "s1");

        using var body = new StringContent("""{"total":10}""", System.Text.Encoding.UTF8, "application/json");
        var echo = await client.Services.InvokeAsync(name, "echo/invoices/42?draft=1", HttpMethod.Post, body, TimeSpan.FromSeconds(10));
        var missing = await client.Services.InvokeAsync(name, "no/such/route");
        var timeout = await Assert.ThrowsAsync<NexusApiException>(() => client.Services.InvokeAsync(name, "slow", timeout: TimeSpan.FromMilliseconds(300)));
        var none = await Assert.ThrowsAsync<NexusApiException>(() => client.Services.InvokeAsync(Clients.NewName("nobody"), "echo/x"));

        Assert.Equal((201, "s1", true), (echo.Status, echo.Instance, echo.IsSuccess));
        var seen = JsonDocument.Parse(echo.Text).RootElement;
        Assert.Equal(("POST", "/echo/invoices/42", "?draft=1", """{"total":10}""", false),
            (seen.GetProperty("method").GetString(), seen.GetProperty("path").GetString(), seen.GetProperty("query").GetString(), seen.GetProperty("body").GetString(), seen.GetProperty("credentials").GetBoolean()));
        Assert.StartsWith("application/json", echo.ContentType, StringComparison.Ordinal);
        Assert.Equal((404, "s1", false), (missing.Status, missing.Instance, missing.IsSuccess));
        Assert.Equal((HttpStatusCode.GatewayTimeout, "invoke-timeout"), (timeout.Status, timeout.Code));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "no-healthy-instance"), (none.Status, none.Code));
    }
}
