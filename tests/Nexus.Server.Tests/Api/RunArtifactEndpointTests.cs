using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Nexus.Plugins;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;
using OpenTelemetry.Trace;

namespace Nexus.Server.Tests.Api;

/// <summary>A server whose claim check offloads any result over 512 bytes, with a plugin that returns large ones and
/// an in-memory trace exporter.</summary>
public abstract class ArtifactServerFixture(StoreKind store) : IAsyncLifetime
{
    private ServerHost? _host;

    public ServerHost Host => _host ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>Every span this server (and any other in the process) exported.</summary>
    public List<Activity> Spans { get; } = [];

    public async Task InitializeAsync() => _host = await ServerHost.StartAsync(store,
        new Dictionary<string, string?> { ["Nexus:Artifacts:InlineLimitBytes"] = "512" },
        new ServerHooks { Nexus = n => n.AddPlugin<BigOutputPlugin>(), Tracing = t => t.AddInMemoryExporter(Spans) });

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}

public sealed class SqliteArtifactServer() : ArtifactServerFixture(StoreKind.Sqlite);

public sealed class PostgresArtifactServer() : ArtifactServerFixture(StoreKind.Postgres);

public sealed record BigOutputArgs(int Chars = 0, string? Line = null);

public sealed record BigOutputResult(string Text);

[TaskPlugin("test.big-output", Description = "Returns a text of the asked length and logs a line.")]
public sealed class BigOutputPlugin : ITaskPlugin<BigOutputArgs, BigOutputResult>
{
    public ValueTask<BigOutputResult> ExecuteAsync(BigOutputArgs args, TaskContext context)
    {
        if (args.Line is not null) Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(context.Log, "said: {Line}", args.Line);
        return ValueTask.FromResult(new BigOutputResult(new string('z', args.Chars)));
    }
}

/// <summary>A run's and a task's artifacts and logs over real HTTP, the claim check as the API shows it, and the run's
/// trace.</summary>
public abstract class RunArtifactEndpointTests(ArtifactServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static Task<JsonElement> WaitRunAsync(HttpClient client, long id) =>
        Eventually.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/runs/{id}")).JsonAsync(),
            run => run.GetProperty("state").GetString() is "succeeded" or "failed",
            TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(25), $"run {id} to finish");

    private static JsonElement Step(JsonElement run, string id) => run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    [Fact]
    public async Task ThePipelineZip_IsARunArtifact_ListedDownloadedAndLogged()
    {
        using var client = Host.Admin();
        var runId = (await (await client.PostJsonAsync("/api/v1/workflows/pipeline/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();
        var run = await WaitRunAsync(client, runId);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var zip = Step(run, "zip");
        Assert.Equal($"runs/{runId}/zip/run-{runId}.zip", zip.GetProperty("output").GetProperty("artifact").GetString());

        var listed = await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts")).JsonAsync();
        var names = listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()).ToList();
        Assert.Contains($"zip/run-{runId}.zip", names);
        Assert.Contains("zip/logs/attempt-1.log", names);
        var download = await client.GetAsync($"/api/v1/runs/{runId}/artifacts/zip/run-{runId}.zip");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/x-zip-compressed", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(zip.GetProperty("output").GetProperty("bytes").GetInt64(), bytes.LongLength);
        Assert.Equal((byte)'P', bytes[0]);

        var log = await client.GetAsync($"/api/v1/runs/{runId}/steps/zip/logs");
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        Assert.Contains($"Packed 19 entries", await log.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("1", log.Headers.GetValues("Nexus-Attempt").Single());

        // The zip step's task reaches the same folder through the task routes.
        var taskId = zip.GetProperty("taskId").GetInt64();
        var taskFiles = await (await client.GetAsync($"/api/v1/tasks/{taskId}/artifacts")).JsonAsync();
        Assert.Contains($"run-{runId}.zip", taskFiles.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()));
        Assert.Equal(bytes.LongLength, (await (await client.GetAsync($"/api/v1/tasks/{taskId}/artifacts/run-{runId}.zip")).Content.ReadAsByteArrayAsync()).LongLength);
        Assert.Contains("Packed", await (await client.GetAsync($"/api/v1/tasks/{taskId}/logs?attempt=1")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadNamesAndMissingThings_AreProblems_NamingTheField()
    {
        using var client = Host.Admin();
        var name = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await client.PostJsonAsync("/api/v1/workflows", $$$"""{"name":"{{{name}}}","steps":[{"id":"talk","plugin":"test.big-output","args":{"line":"hello"}},{"id":"quiet","plugin":"test.big-output","args":{}}]}""")).JsonAsync(HttpStatusCode.Created);
        var runId = (await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();
        await WaitRunAsync(client, runId);

        Assert.Contains("said: hello", await (await client.GetAsync($"/api/v1/runs/{runId}/steps/talk/logs")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts/talk/a%20b.txt")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
        await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts/talk/.hidden")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
        await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts/talk/%2E%2E%2F%2E%2E%2Fescape")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
        await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts/talk/none.txt")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "limit");
        await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts?after=..%2Fx")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "after");
        await (await client.GetAsync($"/api/v1/runs/{runId}/steps/quiet/logs")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync($"/api/v1/runs/{runId}/steps/talk/logs?attempt=0")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "attempt");
        await (await client.GetAsync($"/api/v1/runs/{runId}/steps/talk/logs?attempt=2")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync($"/api/v1/runs/{runId}/steps/nope/logs")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync("/api/v1/runs/999999999/artifacts")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync("/api/v1/tasks/999999999/logs")).ProblemAsync(HttpStatusCode.NotFound, "not-found");

        var key = await (await client.PostJsonAsync("/api/v1/keys", $$"""{"name":"{{name}}-limited","role":"admin","queues":["only-mine"]}""")).JsonAsync(HttpStatusCode.Created);
        using var limited = Host.Client(key.GetProperty("key").GetString()!);
        await (await limited.GetAsync($"/api/v1/runs/{runId}/artifacts")).ProblemAsync(HttpStatusCode.Forbidden, "workflows-forbidden");
        await (await limited.GetAsync($"/api/v1/runs/{runId}/steps/talk/logs")).ProblemAsync(HttpStatusCode.Forbidden, "workflows-forbidden");
        var run = await (await client.GetAsync($"/api/v1/runs/{runId}")).JsonAsync();
        var talkTask = Step(run, "talk").GetProperty("taskId").GetInt64();
        // A task in a queue the caller may not use does not exist for it.
        await (await limited.GetAsync($"/api/v1/tasks/{talkTask}/logs")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await limited.GetAsync($"/api/v1/tasks/{talkTask}/artifacts")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task ALargeOutput_IsAReferenceInLists_AndItsValueWhereOneTaskOrRunIsShown()
    {
        using var client = Host.Admin();
        var name = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await client.PostJsonAsync("/api/v1/workflows", $$$"""
            {"name":"{{{name}}}","steps":[
              {"id":"big","plugin":"test.big-output","args":{"chars":2000}},
              {"id":"use","plugin":"test.big-output","args":{"line":"${steps.big.output.text}"},"needs":["big"]}]}
            """)).JsonAsync(HttpStatusCode.Created);
        var runId = (await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();
        var run = await WaitRunAsync(client, runId);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());

        // Shown resolved on GET /runs/{id} and GET /tasks/{id}…
        Assert.Equal(2000, Step(run, "big").GetProperty("output").GetProperty("text").GetString()!.Length);
        var bigTask = Step(run, "big").GetProperty("taskId").GetInt64();
        Assert.Equal(2000, (await client.GetTaskAsync(bigTask)).GetProperty("result").GetProperty("text").GetString()!.Length);
        // …kept as the reference in task lists, and stored once as an artifact of the step.
        var listed = await (await client.GetAsync($"/api/v1/tasks?limit=1000")).JsonAsync();
        var inList = listed.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == bigTask);
        Assert.Equal($"runs/{runId}/big/output-1.json", inList.GetProperty("result").GetProperty("$artifact").GetString());
        var files = await (await client.GetAsync($"/api/v1/runs/{runId}/artifacts")).JsonAsync();
        Assert.Contains("big/output-1.json", files.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()));
        // The downstream step saw the whole text: it logged it.
        Assert.Contains("said: " + new string('z', 2000), await (await client.GetAsync($"/api/v1/runs/{runId}/steps/use/logs")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARun_HasOneTrace_ThatItsStepsAndItsRunSpanShare()
    {
        using var client = Host.Admin();
        var name = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await client.PostJsonAsync("/api/v1/workflows", $$$"""
            {"name":"{{{name}}}","steps":[{"id":"a","plugin":"test.big-output","args":{}},{"id":"b","plugin":"test.big-output","args":{},"needs":["a"]}]}
            """)).JsonAsync(HttpStatusCode.Created);
        var runId = (await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();
        var run = await WaitRunAsync(client, runId);
        var traceText = run.GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceText);
        var listedRun = (await (await client.GetAsync($"/api/v1/runs?workflow={name}")).JsonAsync()).GetProperty("items")[0];
        Assert.Equal(traceText, listedRun.GetProperty("traceId").GetString());
        var trace = ActivityTraceId.CreateFromString(traceText);
        var taskIds = new[] { Step(run, "a"), Step(run, "b") }.Select(s => s.GetProperty("taskId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

        var spans = await Eventually.UntilAsync(
            () => Task.FromResult(fixture.Spans.ToArray().Where(s => s is not null && s.TraceId == trace).DistinctBy(s => s.SpanId).ToArray()),
            found => found.Count(s => s.OperationName == "nexus.execute") == 2 && found.Any(s => s.OperationName == "nexus.run"),
            Http.Deadline, TimeSpan.FromMilliseconds(20), $"the spans of run {runId}", found => string.Join(", ", found.Select(s => s.OperationName)));
        var executes = spans.Where(s => s.OperationName == "nexus.execute").ToList();
        var runSpan = Assert.Single(spans, s => s.OperationName == "nexus.run");
        Assert.Equal(taskIds, executes.Select(s => s.GetTagItem("nexus.task.id")?.ToString() ?? "").ToHashSet());
        // Every step's span and the run's span hang off the run's root.
        Assert.Single(spans.Select(s => s.ParentSpanId).Distinct());
        Assert.Equal(runId, runSpan.GetTagItem("nexus.run.id"));
        Assert.Equal("succeeded", runSpan.GetTagItem("nexus.run.state"));
        Assert.True(runSpan.Duration > TimeSpan.Zero);
    }
}

public sealed class SqliteRunArtifactEndpointTests(SqliteArtifactServer server) : RunArtifactEndpointTests(server), IClassFixture<SqliteArtifactServer>;

public sealed class PostgresRunArtifactEndpointTests(PostgresArtifactServer server) : RunArtifactEndpointTests(server), IClassFixture<PostgresArtifactServer>;
