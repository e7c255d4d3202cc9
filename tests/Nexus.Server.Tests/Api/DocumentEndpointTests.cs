using System.Net;
using System.Text;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/apps/{app}/models/{model}/documents over HTTP: create, JSON Patch with If-Match (a failed test is
/// 409 naming the operation, a malformed patch 400), replace, query by filter in pages, a schema refusing a write
/// naming the field, delete.</summary>
public sealed class DocumentEndpointTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    private static string NewApp() => "d-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string body, string contentType = "application/json", string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task CreatePatchReplaceQueryDelete()
    {
        using var client = Host.Admin();
        var docs = $"/api/v1/apps/{NewApp()}/models/orders/documents";

        var created = await (await client.PostJsonAsync(docs, """{"id":"o-1","document":{"status":"new","total":5}}""")).JsonAsync(HttpStatusCode.Created);
        await (await client.PostJsonAsync(docs, """{"id":"o-2","document":{"status":"paid","total":7}}""")).JsonAsync(HttpStatusCode.Created);
        var patched = await SendAsync(client, HttpMethod.Patch, $"{docs}/o-1",
            """[{"op":"test","path":"/status","value":"new"},{"op":"replace","path":"/status","value":"paid"}]""", "application/json-patch+json", ifMatch: "\"1\"");
        var stale = await SendAsync(client, HttpMethod.Patch, $"{docs}/o-1", """[{"op":"remove","path":"/total"}]""", "application/json-patch+json", ifMatch: "\"1\"");
        var failed = await SendAsync(client, HttpMethod.Patch, $"{docs}/o-1", """[{"op":"test","path":"/status","value":"new"}]""", "application/json-patch+json");
        var malformed = await SendAsync(client, HttpMethod.Patch, $"{docs}/o-1", """[{"op":"explode","path":"/x"}]""", "application/json-patch+json");
        var paid = await (await client.GetAsync($"{docs}?filter={Uri.EscapeDataString("""{"status":"paid"}""")}&limit=1")).JsonAsync();
        var paidNext = await (await client.GetAsync($"{docs}?filter={Uri.EscapeDataString("""{"status":"paid"}""")}&after={paid.GetProperty("next").GetString()}")).JsonAsync();
        var badFilter = await (await client.GetAsync($"{docs}?filter={Uri.EscapeDataString("""{"a":{"$regex":"x"}}""")}")).JsonAsync(HttpStatusCode.BadRequest);
        var replaced = await (await SendAsync(client, HttpMethod.Put, $"{docs}/o-2", """{"document":{"status":"void"},"expectedVersion":1}""")).JsonAsync();
        var deleted = await (await client.DeleteAsync($"{docs}/o-1")).JsonAsync();

        Assert.Equal(1, created.GetProperty("version").GetInt64());
        Assert.Equal("\"2\"", patched.Headers.ETag?.Tag);
        Assert.Equal("paid", (await patched.JsonAsync()).GetProperty("document").GetProperty("status").GetString());
        Assert.Equal(2, (await stale.JsonAsync(HttpStatusCode.Conflict)).GetProperty("currentVersion").GetInt64());
        var failure = await failed.JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal(("patch-failed", "patch[0]"), (failure.GetProperty("code").GetString(), failure.GetProperty("field").GetString()));
        Assert.Equal("invalid-patch", (await malformed.JsonAsync(HttpStatusCode.BadRequest)).GetProperty("code").GetString());
        Assert.Equal(["o-1"], paid.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal(["o-2"], paidNext.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        Assert.Equal("filter", badFilter.GetProperty("field").GetString());
        Assert.Equal("void", replaced.GetProperty("document").GetProperty("status").GetString());
        Assert.Equal(3, deleted.GetProperty("version").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{docs}/o-1")).StatusCode);
    }

    [Fact]
    public async Task ASchema_RefusesAWrite_NamingTheField()
    {
        using var client = Host.Admin();
        var model = $"/api/v1/apps/{NewApp()}/models/orders";
        await (await SendAsync(client, HttpMethod.Put, $"{model}/schema", """{"type":"object","required":["total"],"properties":{"total":{"type":"number"}}}""")).JsonAsync();

        var refused = await (await client.PostJsonAsync($"{model}/documents", """{"document":{"total":"five"}}""")).JsonAsync(HttpStatusCode.BadRequest);
        var notObject = await (await client.PostJsonAsync($"{model}/documents", """{"document":[1]}""")).JsonAsync(HttpStatusCode.BadRequest);

        Assert.Equal("document.total", refused.GetProperty("field").GetString());
        Assert.Equal("document", notObject.GetProperty("field").GetString());
        Assert.Equal("object", (await (await client.GetAsync($"{model}/schema")).JsonAsync()).GetProperty("type").GetString());
    }
}
