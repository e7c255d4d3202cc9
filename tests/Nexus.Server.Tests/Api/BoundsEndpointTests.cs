using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>Instants and durations beyond the bounds, and invalid UTF-8 inside free-form JSON: each a 400 naming the
/// field, never a 500, and never a stored row that breaks the task list afterwards.</summary>
public abstract class BoundsEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private const string Args = """ "args":{"filename":"d.txt","words":1} """;

    [Theory]
    [InlineData("\"delay\":\"P9000Y\"", "delay")]
    [InlineData("\"delay\":\"P99999Y\"", "delay")]
    [InlineData("\"delay\":\"36501d\"", "delay")]
    [InlineData("\"delayMs\":4611686018427387904", "delayMs")]
    [InlineData("\"delayMs\":3153600000001", "delayMs")]
    [InlineData("\"runAt\":\"9000-01-01T00:00:00Z\"", "runAt")]
    [InlineData("\"runAt\":\"1969-12-31T23:59:59Z\"", "runAt")]
    [InlineData("\"timeoutMs\":4294967296", "timeoutMs")]
    [InlineData("\"timeoutMs\":4611686018427387904", "timeoutMs")]
    [InlineData("\"retry\":{\"initialDelayMs\":3e14,\"maxDelayMs\":3e14}", "retry.initialDelayMs")]
    [InlineData("\"retry\":{\"maxDelayMs\":1e300}", "retry.maxDelayMs")]
    public async Task Submit_BeyondTheBounds_IsAProblemNamingTheField_AndTheListStillReads(string option, string field)
    {
        using var client = Host.Admin();

        var problem = await (await client.PostJsonAsync("/api/v1/tasks", $$"""{"plugin":"text.generate",{{Args}},{{option}}}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", field);

        var detail = problem.GetProperty("detail").GetString()!;
        Assert.True(detail.Contains("at most", StringComparison.Ordinal) || detail.Contains("before", StringComparison.Ordinal), detail);
        (await client.GetAsync("/api/v1/tasks?state=scheduled&limit=1000")).EnsureSuccessStatusCode();
        (await client.GetAsync("/api/v1/tasks?limit=1000")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Batch_BeyondTheBounds_NamesTheTaskAndField()
    {
        using var client = Host.Admin();
        var body = $$"""{"tasks":[{"plugin":"text.generate",{{Args}}},{"plugin":"text.generate",{{Args}},"delay":"P9000Y"}]}""";

        await (await client.PostJsonAsync("/api/v1/tasks/batch", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", "tasks[1].delay");
    }

    [Fact]
    public async Task Submit_AtTheLongestDelay_IsStored_AndCanBeListedCancelledAndDeleted()
    {
        using var client = Host.Admin();
        var id = await client.SubmitAsync($$"""{"plugin":"text.generate",{{Args}},"delay":"36500d","timeoutMs":2073600000}""");

        var list = await (await client.GetAsync("/api/v1/tasks?state=scheduled&limit=1000")).JsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == id);
        Assert.Equal(2073600000, (await client.GetTaskAsync(id)).GetProperty("timeoutMs").GetInt64());
        (await client.PostAsync($"/api/v1/tasks/{id}/cancel", null)).EnsureSuccessStatusCode();
        (await client.DeleteAsync($"/api/v1/tasks/{id}")).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("{\"plugin\":\"text.generate\",\"args\":{\"filename\":\"\\ud800.txt\",\"words\":1}}", "args.filename")]
    public async Task Submit_WithALoneSurrogateEscape_IsAProblemNamingTheField(string body, string field)
    {
        using var client = Host.Admin();

        await (await client.PostJsonAsync("/api/v1/tasks", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("\\udc00")]
    public async Task Submit_ToAnExternalPlugin_WithTextNoStoreHolds_IsAProblemNamingTheField(string escape)
    {
        using var client = Host.Admin();
        var plugin = $"any.{Guid.NewGuid():N}";
        var register = await client.PutAsync($"/api/v1/workers/w-{Guid.NewGuid():N}", new StringContent($$"""{"plugins":[{"name":"{{plugin}}"}]}""", Encoding.UTF8, "application/json"));
        await register.JsonAsync();

        var problem = await (await client.PostJsonAsync("/api/v1/tasks", $$$"""{"plugin":"{{{plugin}}}","args":{"text":"a{{{escape}}}b"}}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "args.text");

        Assert.Contains("\\u0000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static ByteArrayContent WithInvalidUtf8(string before, string after)
    {
        // 0xC3 0x28: a two-byte sequence whose second byte is not a continuation byte.
        var bytes = Encoding.UTF8.GetBytes(before).Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes(after)).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    [Theory]
    [InlineData("{\"plugin\":\"text.generate\",\"args\":{\"filename\":\"a", ".txt\",\"words\":1}}", "args.filename")]
    [InlineData("{\"plugin\":\"text.generate\",\"args\":{\"a", "\":1}}", "args")]
    [InlineData("{\"plugin\":\"text.generate\",\"args\":{\"filename\":\"a.txt\"},\"tags\":[\"a", "\"]}", "tags[0]")]
    [InlineData("{\"plugin\":\"text.gen", "erate\",\"args\":{}}", "plugin")]
    public async Task Submit_WithInvalidUtf8_IsAProblemNamingTheField(string before, string after, string field)
    {
        using var client = Host.Admin();

        var problem = await (await client.PostAsync("/api/v1/tasks", WithInvalidUtf8(before, after))).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);

        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterWorker_WithInvalidUtf8InItsArgsSchema_IsAProblemNamingTheField()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/workers/w-{Guid.NewGuid():N}";

        var response = await client.PutAsync(url, WithInvalidUtf8("{\"plugins\":[{\"name\":\"utf.check\",\"argsSchema\":{\"type\":\"object\",\"description\":\"x", "\"}}]}"));

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest, "validation", "plugins[0].argsSchema.description");
        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteWithInvalidUtf8InTheResult_IsAProblemNamingTheField()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/workers/w-{Guid.NewGuid():N}/complete";
        var before = $$"""{"completions":[{"id":1,"leaseToken":"{{Guid.NewGuid()}}","outcome":"succeeded","result":{"text":"x""";

        var problem = await (await client.PostAsync(url, WithInvalidUtf8(before, "\"}}]}"))).ProblemAsync(HttpStatusCode.BadRequest, "validation", "completions[0].result.text");

        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALeaseTokenThatIsNotAGuid_IsAProblemSayingSo()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/workers/w-{Guid.NewGuid():N}/heartbeat";

        var problem = await (await client.PostJsonAsync(url, """{"leases":[{"id":1,"leaseToken":"not-a-token"}]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "leases[0].leaseToken");

        Assert.Contains("UUID", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterWorker_WithAHugeTimeout_IsAProblemNamingTheField()
    {
        using var client = Host.Admin();
        var url = $"/api/v1/workers/w-{Guid.NewGuid():N}";

        await (await client.PutAsync(url, new StringContent("""{"plugins":[{"name":"huge.timeout","timeoutMs":4611686018427387904}]}""", Encoding.UTF8, "application/json")))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "plugins[0].timeoutMs");
    }
}

public sealed class SqliteBoundsEndpointTests(SqliteServer server) : BoundsEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresBoundsEndpointTests(PostgresServer server) : BoundsEndpointTests(server), IClassFixture<PostgresServer>;
