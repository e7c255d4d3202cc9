using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Hosting;

/// <summary>Rate limits per caller (429 with Retry-After) and the request body cap (413), on both stores.</summary>
public abstract class LimitTests(StoreKind store)
{
    [Fact]
    public async Task RateLimit_RefusesACallerOverItsBudget_WithRetryAfter_AndLeavesOthersAlone()
    {
        await using var host = await ServerHost.StartAsync(store, new Dictionary<string, string?>
        {
            ["Nexus:RateLimit:PermitsPerSecond"] = "1",
            ["Nexus:RateLimit:Burst"] = "3",
        });
        using var admin = host.Admin();
        var other = (await (await admin.PostJsonAsync("/api/v1/keys", """{"name":"other","role":"viewer"}""")).JsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString();

        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await admin.GetAsync("/api/v1/whoami");
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
        }

        Assert.NotNull(refused);
        await refused.ProblemAsync(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        using var otherClient = host.Client(other);
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/api/v1/whoami")).StatusCode);
        using var anonymous = host.Client();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task BodyCap_RefusesALargerBody_With413()
    {
        await using var host = await ServerHost.StartAsync(store, new Dictionary<string, string?> { ["Nexus:Server:MaxRequestBodyBytes"] = "65536" });
        using var admin = host.Admin();
        var big = new string('x', 200_000);

        var response = await admin.PostJsonAsync("/api/v1/tasks", "{\"plugin\":\"text.generate\",\"args\":{\"filename\":\"" + big + "\"}}");

        await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body-too-large", "body");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{"filename":"small.txt"}}""")).StatusCode);
    }
}

public sealed class SqliteLimitTests() : LimitTests(StoreKind.Sqlite);

public sealed class PostgresLimitTests() : LimitTests(StoreKind.Postgres);
