using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Nexus.Server.Auth;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage;

namespace Nexus.Server.Tests.Auth;

/// <summary>Deny by default, API keys (create, use, list, revoke, expiry), each role's rights, queue-limited keys.</summary>
public abstract class ApiKeyAuthTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private async Task<string> CreateKeyAsync(string role, string? queuesJson = null)
    {
        using var admin = Host.Admin();
        var body = $$"""{"name":"{{role}}-{{Guid.NewGuid():N}}","role":"{{role}}"{{(queuesJson is null ? "" : $",\"queues\":{queuesJson}")}}}""";
        var created = await (await admin.PostJsonAsync("/api/v1/keys", body)).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/v1/tasks" },
        { "POST", "/api/v1/tasks" },
        { "POST", "/api/v1/tasks/batch" },
        { "GET", "/api/v1/tasks/1" },
        { "POST", "/api/v1/tasks/1/cancel" },
        { "POST", "/api/v1/tasks/1/retry" },
        { "DELETE", "/api/v1/tasks/1" },
        { "GET", "/api/v1/dead-letters" },
        { "POST", "/api/v1/dead-letters/1/retry" },
        { "POST", "/api/v1/dead-letters/retry" },
        { "POST", "/api/v1/dead-letters/purge" },
        { "GET", "/api/v1/queues" },
        { "GET", "/api/v1/queues/default" },
        { "POST", "/api/v1/queues/default/pause" },
        { "POST", "/api/v1/queues/default/resume" },
        { "PATCH", "/api/v1/queues/default" },
        { "GET", "/api/v1/plugins" },
        { "GET", "/api/v1/plugins/text.generate" },
        { "GET", "/api/v1/artifacts" },
        { "GET", "/api/v1/artifacts/hello/story.txt" },
        { "GET", "/api/v1/keys" },
        { "POST", "/api/v1/keys" },
        { "DELETE", "/api/v1/keys/abc" },
        { "GET", "/api/v1/whoami" },
        { "GET", "/api/v1/server" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryEndpoint_WithoutCredentials_Is401(string method, string path)
    {
        using var client = Host.Client();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        var response = await client.SendAsync(request);

        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains("--dev", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("nx_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-key")]
    [InlineData("test-bootstrap-key-0123456789abcdefghijklmnoX")]
    public async Task AWrongKey_Is401_WithoutEchoingIt(string key)
    {
        using var client = Host.Client(key);
        var response = await client.GetAsync("/api/v1/whoami");
        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.DoesNotContain(key, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BasicAuth_Is401()
    {
        using var client = Host.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46YWRtaW4=");
        await (await client.GetAsync("/api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task AKey_IsShownOnce_Works_AndStopsWorkingWhenRevoked()
    {
        using var admin = Host.Admin();
        var created = await (await admin.PostJsonAsync("/api/v1/keys", """{"name":"ci","role":"operator"}""")).JsonAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("info").GetProperty("id").GetString()!;
        Assert.StartsWith($"nx_{id}_", key, StringComparison.Ordinal);

        using var client = Host.Client(key);
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal("key:ci", me.GetProperty("name").GetString());
        Assert.Equal("api-key", me.GetProperty("method").GetString());
        using var byHeader = Host.Client();
        byHeader.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await byHeader.GetAsync("/api/v1/whoami")).StatusCode);

        var list = await (await admin.GetAsync("/api/v1/keys")).Content.ReadAsStringAsync();
        Assert.Contains(id, list, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        var stored = await Host.NexusStore.ApiKeys!.GetAsync(id);
        Assert.NotEqual(key, stored!.SecretHash);
        Assert.DoesNotContain(key[20..], stored.SecretHash, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/keys/{id}")).StatusCode);
        var refused = await (await client.GetAsync("/api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains("revoked", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await admin.DeleteAsync($"/api/v1/keys/{id}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var revoked = (await (await admin.GetAsync("/api/v1/keys")).JsonAsync()).EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task AnExpiredKey_Is401()
    {
        var (id, key, hash) = ApiKeyFormat.Create();
        await Host.NexusStore.ApiKeys!.CreateAsync(new NewApiKey { Id = id, Name = "old", SecretHash = hash, Role = "admin", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });

        using var client = Host.Client(key);
        var problem = await (await client.GetAsync("/api/v1/whoami")).ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"role":"viewer"}""", "name")]
    [InlineData("""{"name":"x","role":"root"}""", "role")]
    [InlineData("""{"name":"x"}""", "role")]
    [InlineData("""{"name":"x","role":"viewer","queues":["ok","not ok"]}""", "queues[1]")]
    [InlineData("""{"name":"x","role":"viewer","expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt")]
    [InlineData("""{"name":"x","role":"viewer","secret":"mine"}""", "secret")]
    public async Task CreateKey_BadInput_NamesTheField(string body, string field)
    {
        using var admin = Host.Admin();
        await (await admin.PostJsonAsync("/api/v1/keys", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    [Theory]
    [InlineData("admin", 200, 201, 200, 200, 200)]
    [InlineData("operator", 200, 201, 200, 200, 403)]
    [InlineData("viewer", 200, 403, 403, 200, 403)]
    [InlineData("worker", 403, 403, 403, 200, 403)]
    public async Task EachRole_HasItsRights(string role, int read, int submit, int manage, int plugins, int keys)
    {
        using var client = Host.Client(await CreateKeyAsync(role));
        var queue = "roles-" + role;

        Assert.Equal(read, (int)(await client.GetAsync("/api/v1/tasks")).StatusCode);
        Assert.Equal(read, (int)(await client.GetAsync("/api/v1/dead-letters")).StatusCode);
        Assert.Equal(read, (int)(await client.GetAsync("/api/v1/queues")).StatusCode);
        Assert.Equal(submit, (int)(await client.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"text.generate","args":{"filename":"r.txt"},"queue":"{{queue}}","delay":"1h"}""")).StatusCode);
        Assert.Equal(manage, (int)(await client.PostAsync($"/api/v1/queues/{queue}/pause", null)).StatusCode);
        Assert.Equal(manage, (int)(await client.PostJsonAsync("/api/v1/dead-letters/purge", $$"""{"queue":"{{queue}}"}""")).StatusCode);
        Assert.Equal(plugins, (int)(await client.GetAsync("/api/v1/plugins")).StatusCode);
        Assert.Equal(keys, (int)(await client.GetAsync("/api/v1/keys")).StatusCode);
        Assert.Equal(keys == 200 ? 201 : 403, (int)(await client.PostJsonAsync("/api/v1/keys", """{"name":"made-by","role":"viewer"}""")).StatusCode);
        if (submit == 403)
        {
            var problem = await (await client.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{}}""")).ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            Assert.Contains(role, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("operator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AQueueLimitedKey_OnlyReachesItsQueues()
    {
        var allowed = "qa-" + Guid.NewGuid().ToString("N")[..8];
        var other = "qb-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = Host.Admin();
        var foreign = await admin.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"f.txt"},"queue":"{{other}}","delay":"1h"}""");
        using var client = Host.Client(await CreateKeyAsync("operator", $"[\"{allowed}\"]"));

        var mine = await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"m.txt"},"queue":"{{allowed}}","delay":"1h"}""");
        await (await client.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"text.generate","args":{"filename":"m.txt"},"queue":"{{other}}"}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queue");
        await (await client.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{"filename":"m.txt"}}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queue");
        await (await client.PostJsonAsync("/api/v1/tasks/batch", $$"""{"tasks":[{"plugin":"text.generate","args":{"filename":"m.txt"},"queue":"{{allowed}}"},{"plugin":"text.generate","args":{"filename":"m.txt"},"queue":"{{other}}"}]}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "tasks[1].queue");

        var page = await (await client.GetAsync("/api/v1/tasks")).JsonAsync();
        Assert.Equal([mine.ToString(System.Globalization.CultureInfo.InvariantCulture)], page.Ids());
        await (await client.GetAsync($"/api/v1/tasks?queue={other}")).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "queue");
        await (await client.GetAsync($"/api/v1/tasks/{foreign}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.PostAsync($"/api/v1/tasks/{foreign}/cancel", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.PostAsync($"/api/v1/queues/{other}/pause", null)).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "name");
        var queues = (await (await client.GetAsync("/api/v1/queues")).JsonAsync()).EnumerateArray().Select(q => q.GetProperty("name").GetString()).ToList();
        Assert.Equal([allowed], queues);
        var me = await (await client.GetAsync("/api/v1/whoami")).JsonAsync();
        Assert.Equal(allowed, me.GetProperty("queues")[0].GetString());
    }

    [Fact]
    public async Task AKeyMadeByAnExpiringKey_NeverOutlivesIt()
    {
        using var admin = Host.Admin();
        var makerExpiry = DateTimeOffset.UtcNow.AddHours(2);
        var maker = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"short-{{Guid.NewGuid():N}}","role":"admin","expiresAt":"{{makerExpiry:O}}"}"""))
            .JsonAsync(HttpStatusCode.Created);
        using var client = Host.Client(maker.GetProperty("key").GetString()!);

        // Asking for a later expiry is refused, naming the field; asking for none gets the maker's own.
        await (await client.PostJsonAsync("/api/v1/keys", $$"""{"name":"longer","role":"viewer","expiresAt":"{{makerExpiry.AddDays(1):O}}"}"""))
            .ProblemAsync(HttpStatusCode.Forbidden, "key-outlives-maker", "expiresAt");
        var capped = await (await client.PostJsonAsync("/api/v1/keys", """{"name":"unasked","role":"viewer"}""")).JsonAsync(HttpStatusCode.Created);
        var cappedAt = capped.GetProperty("info").GetProperty("expiresAt").GetDateTimeOffset();
        Assert.Equal(makerExpiry.ToUnixTimeMilliseconds(), cappedAt.ToUnixTimeMilliseconds());
        var sooner = await (await client.PostJsonAsync("/api/v1/keys", $$"""{"name":"sooner","role":"viewer","expiresAt":"{{makerExpiry.AddMinutes(-30):O}}"}"""))
            .JsonAsync(HttpStatusCode.Created);
        Assert.True(sooner.GetProperty("info").GetProperty("expiresAt").GetDateTimeOffset() < makerExpiry);
        // An unexpiring maker (the bootstrap key) still makes unexpiring keys.
        var forever = await (await admin.PostJsonAsync("/api/v1/keys", """{"name":"forever","role":"viewer"}""")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Null, forever.GetProperty("info").GetProperty("expiresAt").ValueKind);
    }
}

public sealed class SqliteApiKeyAuthTests(SqliteServer server) : ApiKeyAuthTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresApiKeyAuthTests(PostgresServer server) : ApiKeyAuthTests(server), IClassFixture<PostgresServer>;
