using System.Net;
using System.Text.Json;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.GraphQlAsync"/>: a mutation and a query with variables, field errors and a request
/// that did not execute returned as answers, missing credentials thrown.</summary>
public sealed class GraphQlClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task MutationThenQuery_ErrorsAreAnswers_NoKeyThrows()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var ns = "gc-" + Guid.NewGuid().ToString("N")[..8];
        var vars = JsonSerializer.SerializeToElement(new { ns, value = new { n = 1 } });

        using var set = await client.GraphQlAsync("mutation($ns: String!, $value: JSON) { setState(namespace: $ns, key: \"k\", value: $value) { version } }", vars);
        using var read = await client.GraphQlAsync("query($ns: String!) { state(namespace: $ns, key: \"k\") { value version } }", JsonSerializer.SerializeToElement(new { ns }));
        using var conflict = await client.GraphQlAsync("mutation($ns: String!) { setState(namespace: $ns, key: \"k\", value: 2, expectedVersion: 7) { version } }", JsonSerializer.SerializeToElement(new { ns }));
        using var broken = await client.GraphQlAsync("{ state(");

        Assert.Equal(1, set.RootElement.GetProperty("data").GetProperty("setState").GetProperty("version").GetInt64());
        Assert.Equal(1, read.RootElement.GetProperty("data").GetProperty("state").GetProperty("value").GetProperty("n").GetInt32());
        Assert.Equal("state-conflict", conflict.RootElement.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.True(broken.RootElement.GetProperty("errors").GetArrayLength() > 0);

        var anonymous = Clients.For(Host, http, key: null);
        var refused = await Assert.ThrowsAsync<NexusApiException>(() => anonymous.GraphQlAsync("{ namespaces { name } }"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
    }
}
