using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>Issue 15 (11): a request line or header block over the limits is answered as problem+json naming the
/// limit, not with Kestrel's empty 414/431; just under the limits passes through.</summary>
public sealed class RequestSizeLimitTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task ALongQuery_Is414ProblemJson()
    {
        using var client = Host.Admin();

        var response = await client.GetAsync("/api/v1/tasks?tag=" + new string('x', 9000));

        var problem = await response.JsonAsync((HttpStatusCode)414);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("uri-too-long", problem.GetProperty("code").GetString());
        Assert.Contains("at most 8192", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeHeaders_Are431ProblemJson_AndSmallerOnesPass()
    {
        using var client = Host.Admin();
        using var big = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        big.Headers.Add("X-Padding", new string('p', 40_000));
        using var fine = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        fine.Headers.Add("X-Padding", new string('p', 20_000));

        var refused = await client.SendAsync(big);
        var passed = await client.SendAsync(fine);

        var problem = await refused.JsonAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Equal("headers-too-large", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
    }
}
