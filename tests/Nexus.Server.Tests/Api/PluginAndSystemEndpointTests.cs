using System.Net;
using System.Text.RegularExpressions;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>Plugins, health, readiness, whoami, server info, the OpenAPI document and the offline reference page.</summary>
public abstract partial class PluginAndSystemEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task Plugins_ListsTheSevenSamplesWithTheirArgsSchemas()
    {
        using var client = Host.Admin();
        var plugins = (await (await client.GetAsync("/api/v1/plugins")).JsonAsync()).EnumerateArray().ToList();

        Assert.Equal(["data.mapreduce", "files.zip", "image.generate", "images.pick-random", "pattern.draw", "text.generate", "text.wordcount", "workflow.start", "workflow.timer"],
            plugins.Select(p => p.GetProperty("name").GetString()));
        var text = plugins.Single(p => p.GetProperty("name").GetString() == "text.generate");
        Assert.Equal("object", text.GetProperty("argsSchema").GetProperty("type").GetString());
        Assert.True(text.GetProperty("argsSchema").GetProperty("properties").TryGetProperty("words", out _));

        var one = await (await client.GetAsync("/api/v1/plugins/text.wordcount")).JsonAsync();
        Assert.Equal("text.wordcount", one.GetProperty("name").GetString());
        var missing = await (await client.GetAsync("/api/v1/plugins/nope")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Contains("text.generate", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_AliveAndReady_WithoutCredentials()
    {
        using var client = Host.Client();
        var alive = await (await client.GetAsync("/healthz")).JsonAsync();
        Assert.Equal("alive", alive.GetProperty("status").GetString());
        var ready = await (await client.GetAsync("/readyz")).JsonAsync();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(Host.Store == StoreKind.Sqlite ? "sqlite" : "postgres", ready.GetProperty("store").GetString());
        Assert.Equal(ready.GetProperty("expectedVersion").GetInt32(), ready.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public async Task WhoAmI_AndServer_DescribeTheCallerAndTheServer()
    {
        using var client = Host.Admin();
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal("bootstrap-key", me.GetProperty("method").GetString());
        Assert.Equal("admin", me.GetProperty("roles")[0].GetString());
        var server = await (await client.GetAsync("/api/v1/server")).JsonAsync();
        Assert.Equal("server-test", server.GetProperty("nodeId").GetString());
        Assert.True(server.GetProperty("auth").GetProperty("apiKeys").GetBoolean());
        Assert.False(server.GetProperty("auth").GetProperty("anonymousLoopback").GetBoolean());
    }

    [Fact]
    public async Task OpenApi_DocumentsEveryEndpoint_WithoutCredentials()
    {
        using var client = Host.Client();
        var document = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/tasks", "/api/v1/tasks/batch", "/api/v1/tasks/{id}", "/api/v1/tasks/{id}/cancel", "/api/v1/tasks/{id}/retry",
            "/api/v1/dead-letters", "/api/v1/dead-letters/retry", "/api/v1/dead-letters/purge", "/api/v1/queues", "/api/v1/queues/{name}/pause",
            "/api/v1/plugins", "/api/v1/keys", "/api/v1/keys/{id}", "/healthz", "/readyz" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document.");
        }
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("SubmitTaskRequest", out _));
    }

    [Fact]
    public async Task Docs_IsServedFromTheServerItself_WithNoOutsideAddresses()
    {
        using var client = Host.Client();
        var page = await client.GetAsync("/docs/v1");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Nexus API", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(OutsideUrl(), html);

        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var response = await client.GetAsync(new Uri(new Uri(Host.Address, "/docs/v1"), script));
            Assert.True(response.IsSuccessStatusCode, $"{script} answered {(int)response.StatusCode}");
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, $"{script} is nearly empty");
        }
    }

    [GeneratedRegex("""(src|href)\s*=\s*["']https?://""")]
    private static partial Regex OutsideUrl();

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}

public sealed class SqlitePluginAndSystemEndpointTests(SqliteServer server) : PluginAndSystemEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresPluginAndSystemEndpointTests(PostgresServer server) : PluginAndSystemEndpointTests(server), IClassFixture<PostgresServer>;
