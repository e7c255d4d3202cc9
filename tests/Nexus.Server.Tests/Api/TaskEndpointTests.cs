using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/tasks over HTTP: submit, batch, get, list, cancel, retry, delete, and their bad input.</summary>
public abstract class TaskEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static string NewQueue() => "q-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Submit_ASampleTask_RunsToSucceeded()
    {
        using var client = Host.Admin();
        var response = await client.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{"filename":"http/story.txt","words":120,"seed":3},"tags":["http"]}""");
        var created = await response.JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.True(created.GetProperty("created").GetBoolean());
        Assert.Equal($"/api/v1/tasks/{id}", response.Headers.Location?.OriginalString);

        var task = await client.WaitForStateAsync(id, "succeeded");

        Assert.Equal("text.generate", task.GetProperty("plugin").GetString());
        Assert.Equal(120, task.GetProperty("result").GetProperty("words").GetInt32());
        Assert.Equal(1, task.GetProperty("attempt").GetInt32());
        Assert.Equal("http", task.GetProperty("tags")[0].GetString());
        Assert.True(File.Exists(Path.Combine(Host.ArtifactsRoot, "http", "story.txt")));
    }

    [Fact]
    public async Task Submit_WithOptions_StoresThem_AndAUniqueKeyReturnsTheFirstTask()
    {
        using var client = Host.Admin();
        var queue = NewQueue();
        var key = Guid.NewGuid().ToString("N");
        var body = $$"""
            {"plugin":"text.generate","args":{"filename":"x.txt"},"queue":"{{queue}}","priority":7,"delay":"1h","maxAttempts":3,
             "retry":{"initialDelayMs":500,"multiplier":3,"maxDelayMs":60000,"jitter":0.1},"timeoutMs":9000,"uniqueKey":"{{key}}","tags":["a","b"]}
            """;
        var id = await client.SubmitAsync(body);

        var again = await (await client.PostJsonAsync("/api/v1/tasks", body)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(id, again.GetProperty("id").GetInt64());
        Assert.False(again.GetProperty("created").GetBoolean());

        var task = await client.GetTaskAsync(id);
        Assert.Equal("scheduled", task.GetProperty("state").GetString());
        Assert.Equal(queue, task.GetProperty("queue").GetString());
        Assert.Equal(7, task.GetProperty("priority").GetInt32());
        Assert.Equal(3, task.GetProperty("maxAttempts").GetInt32());
        Assert.Equal(9000, task.GetProperty("timeoutMs").GetInt64());
        Assert.Equal(500, task.GetProperty("retry").GetProperty("initialDelayMs").GetDouble());
        Assert.Equal(key, task.GetProperty("uniqueKey").GetString());
        var runAt = task.GetProperty("runAt").GetDateTimeOffset();
        var createdAt = task.GetProperty("createdAt").GetDateTimeOffset();
        Assert.InRange(runAt - createdAt, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Theory]
    [InlineData("""{"args":{}}""", "validation", "plugin")]
    [InlineData("""{"plugin":"no.such.plugin","args":{}}""", "unknown-plugin", "plugin")]
    [InlineData("""{"plugin":"text.generate"}""", "validation", "args")]
    [InlineData("""{"plugin":"text.generate","args":[1]}""", "validation", "args")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt","words":0}}""", "validation", "args.words")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt","colour":1}}""", "validation", "args.colour")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"priority":"high"}""", "validation", "priority")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"prio":1}""", "validation", "prio")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"queue":"no spaces"}""", "validation", "queue")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"maxAttempts":0}""", "validation", "maxAttempts")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"delay":"soon"}""", "validation", "delay")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"delayMs":-1}""", "validation", "delayMs")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"delayMs":10,"runAt":"2030-01-01T00:00:00Z"}""", "validation", "delayMs")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"runAt":"tomorrow"}""", "validation", "runAt")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"timeoutMs":0}""", "validation", "timeoutMs")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"retry":{"multiplier":0.5}}""", "validation", "retry.multiplier")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"retry":{"initialDelayMs":5000,"maxDelayMs":10}}""", "validation", "retry.maxDelayMs")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"tags":[""]}""", "validation", "tags[0]")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"a.txt"},"uniqueKey":""}""", "validation", "uniqueKey")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"../../etc/passwd"}}""", "validation", "args.filename")]
    [InlineData("""{"plugin":"text.generate","args":{"filename":"/etc/passwd"}}""", "validation", "args.filename")]
    [InlineData("""{"plugin":"image.generate","args":{"filename":"x.jpg"}}""", "validation", "args.filename")]
    [InlineData("""{"plugin":"files.zip","args":{"sourcePaths":["a","/b"],"outputFile":"z.zip"}}""", "validation", "args.sourcePaths[1]")]
    [InlineData("""{"plugin":"text.generate",""", "malformed-json", "body")]
    [InlineData("""null""", "validation", "body")]
    public async Task Submit_BadInput_IsAProblemNamingTheField(string body, string code, string field)
    {
        using var client = Host.Admin();
        await (await client.PostJsonAsync("/api/v1/tasks", body)).ProblemAsync(HttpStatusCode.BadRequest, code, field);
    }

    [Fact]
    public async Task Submit_UnknownPlugin_ListsTheRegisteredOnes()
    {
        using var client = Host.Admin();
        var problem = await (await client.PostJsonAsync("/api/v1/tasks", """{"plugin":"nope","args":{}}""")).ProblemAsync(HttpStatusCode.BadRequest, "unknown-plugin", "plugin");
        Assert.Contains("text.wordcount", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_NotJson_Is415()
    {
        using var client = Host.Admin();
        await (await client.PostJsonAsync("/api/v1/tasks", "plugin=text.generate", "text/plain")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task Batch_StoresAllInOrder_AndTheyRun()
    {
        using var client = Host.Admin();
        var response = await client.PostJsonAsync("/api/v1/tasks/batch", """
            {"tasks":[
              {"plugin":"text.generate","args":{"filename":"batch/1.txt","words":10}},
              {"plugin":"text.generate","args":{"filename":"batch/2.txt","words":20},"priority":1},
              {"plugin":"pattern.draw","args":{"filename":"batch/3.png","width":16,"height":16}}
            ]}
            """);
        var results = (await response.JsonAsync()).GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(3, results.Count);
        var ids = results.Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.All(results, r => Assert.True(r.GetProperty("created").GetBoolean()));
        foreach (var id in ids) await client.WaitForStateAsync(id, "succeeded");
    }

    [Theory]
    [InlineData("""{"tasks":[]}""", "tasks")]
    [InlineData("""{}""", "tasks")]
    [InlineData("""{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt","words":0}}]}""", "tasks[0].args.words")]
    [InlineData("""{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt"}},{"plugin":"text.generate","args":{"filename":"b.txt","words":0}}]}""", "tasks[1].args.words")]
    [InlineData("""{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt"}},{"plugin":"text.generate","args":{"filename":"b.txt"},"timeoutMs":-5}]}""", "tasks[1].timeoutMs")]
    [InlineData("""{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt"}},{"plugin":"text.generate","args":{"filename":"b.txt"},"maxAttempts":5000}]}""", "tasks[1].maxAttempts")]
    [InlineData("""{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt"}},null]}""", "tasks[1]")]
    [InlineData("""{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt"},"priority":"x"}]}""", "tasks[0].priority")]
    public async Task Batch_BadInput_NamesTheTaskAndField_AndStoresNothing(string body, string field)
    {
        using var client = Host.Admin();
        var before = await (await client.GetAsync("/api/v1/tasks?limit=1")).JsonAsync();

        await (await client.PostJsonAsync("/api/v1/tasks/batch", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);

        var after = await (await client.GetAsync("/api/v1/tasks?limit=1")).JsonAsync();
        Assert.Equal(before.Ids(), after.Ids());
    }

    [Fact]
    public async Task Batch_UnknownPlugin_NamesTheTask()
    {
        using var client = Host.Admin();
        var body = """{"tasks":[{"plugin":"text.generate","args":{"filename":"a.txt"}},{"plugin":"nope","args":{}}]}""";
        await (await client.PostJsonAsync("/api/v1/tasks/batch", body)).ProblemAsync(HttpStatusCode.BadRequest, "unknown-plugin", "tasks[1].plugin");
    }

    [Fact]
    public async Task Get_UnknownOrBadId_Is404Or400()
    {
        using var client = Host.Admin();
        await (await client.GetAsync("/api/v1/tasks/987654321")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync("/api/v1/tasks/abc")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "id");
        await (await client.GetAsync("/api/v1/tasks/-3")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "id");
    }

    [Fact]
    public async Task List_FiltersAndPagesWithTheBeforeCursor()
    {
        using var client = Host.Admin();
        var queue = NewQueue();
        var tag = "t" + Guid.NewGuid().ToString("N")[..10];
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var tags = i % 2 == 0 ? $"[\"{tag}\"]" : "[]";
            ids.Add(await client.SubmitAsync($$"""{"plugin":"text.generate","args":{"filename":"l{{i}}.txt"},"queue":"{{queue}}","delay":"1h","tags":{{tags}}}"""));
        }
        await client.PostAsync($"/api/v1/tasks/{ids[4]}/cancel", null);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&limit=2" + (cursor is null ? "" : $"&before={cursor}"))).JsonAsync();
            seen.AddRange(page.Ids());
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);
        Assert.Equal(ids.AsEnumerable().Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), seen);

        var tagged = await (await client.GetAsync($"/api/v1/tasks?tag={tag}")).JsonAsync();
        Assert.Equal([ids[4], ids[2], ids[0]], tagged.Ids().Select(long.Parse));
        var cancelled = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&state=cancelled")).JsonAsync();
        Assert.Equal([ids[4]], cancelled.Ids().Select(long.Parse));
        var byPlugin = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&plugin=text.generate&state=scheduled")).JsonAsync();
        Assert.Equal(4, byPlugin.Ids().Length);
        var future = DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var none = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&createdFrom={Uri.EscapeDataString(future)}")).JsonAsync();
        Assert.Empty(none.Ids());
        var all = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&createdBefore={Uri.EscapeDataString(future)}")).JsonAsync();
        Assert.Equal(5, all.Ids().Length);
    }

    [Fact]
    public async Task List_SearchesInsideArgs_ByPathAndValue()
    {
        using var client = Host.Admin();
        var queue = NewQueue();
        var wide = await client.SubmitAsync($$"""{"plugin":"image.generate","args":{"filename":"a/w.png","width":640},"queue":"{{queue}}","delay":"1h"}""");
        await client.SubmitAsync($$"""{"plugin":"image.generate","args":{"filename":"a/n.png","width":64},"queue":"{{queue}}","delay":"1h"}""");

        var found = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&argsPath=width&argsValue=640")).JsonAsync();
        Assert.Equal([wide.ToString(System.Globalization.CultureInfo.InvariantCulture)], found.Ids());
        var byName = await (await client.GetAsync($"/api/v1/tasks?queue={queue}&argsPath=filename&argsValue=a%2Fw.png")).JsonAsync();
        Assert.Equal([wide.ToString(System.Globalization.CultureInfo.InvariantCulture)], byName.Ids());
    }

    [Theory]
    [InlineData("state=nope", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("before=x", "before")]
    [InlineData("queue=a%20b", "queue")]
    [InlineData("createdFrom=yesterday", "createdFrom")]
    [InlineData("createdBefore=2030-13-45", "createdBefore")]
    [InlineData("argsPath=a..b&argsValue=1", "argsPath")]
    [InlineData("argsValue=1", "argsPath")]
    [InlineData("argsPath=a&argsValue=%7B%7D", "argsValue")]
    public async Task List_BadQuery_NamesTheParameter(string query, string field)
    {
        using var client = Host.Admin();
        await (await client.GetAsync("/api/v1/tasks?" + query)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
    }

    [Fact]
    public async Task Cancel_Retry_Delete_FollowTheStateMachine()
    {
        using var client = Host.Admin();
        var id = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"c.txt"},"delay":"1h"}""");

        var cancel = await (await client.PostAsync($"/api/v1/tasks/{id}/cancel", null)).JsonAsync();
        Assert.Equal("cancelled", cancel.GetProperty("outcome").GetString());
        await (await client.PostAsync($"/api/v1/tasks/{id}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict, "task-finished");

        var retry = await (await client.PostAsync($"/api/v1/tasks/{id}/retry", null)).JsonAsync();
        Assert.Equal("retried", retry.GetProperty("outcome").GetString());
        await client.WaitForStateAsync(id, "succeeded");
        await (await client.PostAsync($"/api/v1/tasks/{id}/retry", null)).ProblemAsync(HttpStatusCode.Conflict, "not-retryable");

        var deleted = await client.DeleteAsync($"/api/v1/tasks/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await client.GetAsync($"/api/v1/tasks/{id}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.DeleteAsync($"/api/v1/tasks/{id}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.PostAsync("/api/v1/tasks/0/cancel", null)).ProblemAsync(HttpStatusCode.BadRequest, "validation", "id");
        await (await client.PostAsync("/api/v1/tasks/424242424/retry", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Retry_WithNewArgs_RunsWithThem_AndBadArgsAreRefusedNamingTheField()
    {
        using var client = Host.Admin();
        var id = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"r1.txt","words":5},"delay":"1h"}""");
        await (await client.PostAsync($"/api/v1/tasks/{id}/cancel", null)).JsonAsync();

        await (await client.PostJsonAsync($"/api/v1/tasks/{id}/retry", """{"args":{"filename":"r2.txt","words":0}}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "args.words");
        await (await client.PostJsonAsync($"/api/v1/tasks/{id}/retry", """{"args":[1]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "args");
        await (await client.PostJsonAsync($"/api/v1/tasks/{id}/retry", """{"argz":{}}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "argz");
        var refused = await (await client.GetAsync($"/api/v1/tasks/{id}")).JsonAsync();
        Assert.Equal("cancelled", refused.GetProperty("state").GetString());
        Assert.Equal("r1.txt", refused.GetProperty("args").GetProperty("filename").GetString());

        var retry = await (await client.PostJsonAsync($"/api/v1/tasks/{id}/retry", """{"args":{"filename":"r2.txt","words":7}}""")).JsonAsync();
        Assert.Equal("retried", retry.GetProperty("outcome").GetString());
        var done = await client.WaitForStateAsync(id, "succeeded");
        Assert.Equal("r2.txt", done.GetProperty("args").GetProperty("filename").GetString());
        Assert.Equal(7, done.GetProperty("result").GetProperty("words").GetInt32());
    }

    [Fact]
    public async Task UnknownRoute_IsAProblemToo()
    {
        using var client = Host.Admin();
        await (await client.GetAsync("/api/v1/nothing-here")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}

public sealed class SqliteTaskEndpointTests(SqliteServer server) : TaskEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresTaskEndpointTests(PostgresServer server) : TaskEndpointTests(server), IClassFixture<PostgresServer>;
