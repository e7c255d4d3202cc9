using System.Net;
using System.Text;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/namespaces/{ns}/state over HTTP: values round-trip, the version is the ETag and If-Match makes a
/// write a compare-and-set answering 409 with the current version, TTLs, listing by prefix, history, export/import,
/// bad input as problem+json naming the field, viewers read but cannot write.</summary>
public sealed class StateEndpointTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    private static string NewNamespace() => "s-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string url, string body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task AValue_RoundTrips_AndTheVersionIsTheETag()
    {
        using var client = Host.Admin();
        var ns = NewNamespace();

        var put = await PutAsync(client, $"/api/v1/namespaces/{ns}/state/users/42/profile", """{"value":{"name":"Ada","tags":["x"],"n":1.5}}""");
        var written = await put.JsonAsync();
        Assert.Equal("\"1\"", put.Headers.ETag?.Tag);
        Assert.Equal(1, written.GetProperty("version").GetInt64());

        var get = await client.GetAsync($"/api/v1/namespaces/{ns}/state/users/42/profile");
        var entry = await get.JsonAsync();
        Assert.Equal("\"1\"", get.Headers.ETag?.Tag);
        Assert.Equal("""{"name":"Ada","tags":["x"],"n":1.5}""", entry.GetProperty("value").GetRawText());
        Assert.Equal("users/42/profile", entry.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/namespaces/{ns}/state/users/43")).StatusCode);
    }

    [Fact]
    public async Task IfMatch_MakesAWriteACompareAndSet_AndALostOneAnswers409WithTheCurrentVersion()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/namespaces/{NewNamespace()}/state/counter";
        await (await PutAsync(client, url, """{"value":1}""")).JsonAsync();
        await (await PutAsync(client, url, """{"value":2}""", ifMatch: "\"1\"")).JsonAsync();

        var lost = await PutAsync(client, url, """{"value":3}""", ifMatch: "\"1\"");
        var problem = await lost.JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal("state-conflict", problem.GetProperty("code").GetString());
        Assert.Equal(2, problem.GetProperty("currentVersion").GetInt64());
        Assert.Equal("application/problem+json", lost.Content.Headers.ContentType?.MediaType);

        var create = await PutAsync(client, url, """{"value":9,"expectedVersion":0}""");
        Assert.Equal(HttpStatusCode.Conflict, create.StatusCode);
        var deleted = await (await client.DeleteAsync($"{url}?expectedVersion=2")).JsonAsync();
        Assert.Equal(3, deleted.GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync(url)).StatusCode);
    }

    [Fact]
    public async Task ListByPrefix_History_ExportAndImport()
    {
        using var client = Host.Admin();
        var ns = NewNamespace();
        foreach (var k in new[] { "a/1", "a/2", "a/3", "b" }) await (await PutAsync(client, $"/api/v1/namespaces/{ns}/state/{k}", """{"value":"v"}""")).JsonAsync();
        await (await PutAsync(client, $"/api/v1/namespaces/{ns}/state/a/1", """{"value":"w"}""")).JsonAsync();

        var first = await (await client.GetAsync($"/api/v1/namespaces/{ns}/state?prefix=a/&limit=2")).JsonAsync();
        Assert.Equal(["a/1", "a/2"], first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        var rest = await (await client.GetAsync($"/api/v1/namespaces/{ns}/state?prefix=a/&limit=2&after={first.GetProperty("next").GetString()}")).JsonAsync();
        Assert.Equal(["a/3"], rest.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("key").GetString()));

        var history = await (await client.GetAsync($"/api/v1/namespaces/{ns}/state-history/a/1")).JsonAsync();
        Assert.Equal(["\"w\"", "\"v\""], history.EnumerateArray().Select(v => v.GetProperty("value").GetRawText()));

        var snapshot = await (await client.GetAsync($"/api/v1/namespaces/{ns}/state-export")).JsonAsync();
        Assert.Equal(4, snapshot.GetProperty("keys").GetArrayLength());
        var target = NewNamespace();
        var imported = await (await client.PostJsonAsync($"/api/v1/namespaces/{target}/state-import", snapshot.GetRawText())).JsonAsync();
        Assert.Equal(4, imported.GetProperty("written").GetInt32());
        Assert.Equal("\"w\"", (await (await client.GetAsync($"/api/v1/namespaces/{target}/state/a/1")).JsonAsync()).GetProperty("value").GetRawText());
    }

    [Theory]
    [InlineData("Bad NS", "k", """{"value":1}""", "namespace")]
    [InlineData("ok", "k", """{}""", "value")]
    [InlineData("ok", "k", """{"value":1,"extra":1}""", "extra")]
    [InlineData("ok", "k", """{"value":1,"expectedVersion":"x"}""", "expectedVersion")]
    [InlineData("ok", "k", """{"value":1,"ttl":"soon"}""", "ttl")]
    [InlineData("ok", "k", """{"value":1,"ttl":"0s"}""", "ttl")]
    [InlineData("ok", "k", """{"value":"\u0000"}""", "value")]
    public async Task BadInput_IsAProblemNamingTheField(string ns, string key, string body, string field)
    {
        using var client = Host.Admin();

        var problem = await (await PutAsync(client, $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/state/{key}", body)).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AJsonNull_IsAValueLikeAnyOther()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/namespaces/{NewNamespace()}/state/nothing";

        await (await PutAsync(client, url, """{"value":null}""")).JsonAsync();

        Assert.Equal(JsonValueKind.Null, (await (await client.GetAsync(url)).JsonAsync()).GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task AViewer_Reads_ButCannotWrite()
    {
        using var admin = Host.Admin();
        var url = $"/api/v1/namespaces/{NewNamespace()}/state/k";
        await (await PutAsync(admin, url, """{"value":1}""")).JsonAsync();
        var key = (await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"v-{{Guid.NewGuid():N}}","role":"viewer"}""")).JsonAsync(HttpStatusCode.Created)).GetProperty("key").GetString()!;
        using var viewer = Host.Client(key);

        Assert.Equal(1, (await (await viewer.GetAsync(url)).JsonAsync()).GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(viewer, url, """{"value":2}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync(url)).StatusCode);
    }

    [Fact]
    public async Task ATtl_ExpiresTheKey()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/namespaces/{NewNamespace()}/state/session";

        var written = await (await PutAsync(client, url, """{"value":1,"ttl":"1ms"}""")).JsonAsync();

        Assert.NotEqual(JsonValueKind.Null, written.GetProperty("expiresAt").ValueKind);
        await Nexus.Testing.Eventually.UntilAsync(async () => (await client.GetAsync(url)).StatusCode == HttpStatusCode.NotFound, because: "the key to expire");
    }
}
