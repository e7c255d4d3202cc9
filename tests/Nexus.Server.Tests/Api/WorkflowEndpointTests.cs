using System.Net;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/workflows and /api/v1/runs over real HTTP: register, start, watch, signal and steer runs; bad
/// definitions answered with the field at fault.</summary>
public abstract class WorkflowEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static string Name() => "wf-" + Guid.NewGuid().ToString("N")[..10];

    private static Task<JsonElement> WaitRunAsync(HttpClient client, long id, string state) =>
        Eventually.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/runs/{id}")).JsonAsync(),
            run => run.GetProperty("state").GetString() == state,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20), $"run {id} to be {state}");

    [Fact]
    public async Task ARegisteredWorkflow_Runs_WaitsForItsSignal_AndShowsEveryStep()
    {
        using var client = Host.Admin();
        var name = Name();
        var registered = await (await client.PostJsonAsync("/api/v1/workflows", $$"""
            {"name":"{{name}}","steps":[
              {"id":"file","plugin":"text.generate","args":{"filename":"{{name}}.txt","words":5} },
              {"id":"wait","kind":"waitForEvent","signal":"approve","needs":["file"]},
              {"id":"done","kind":"noop","args":{"by":"${steps.wait.output.by}"},"needs":["wait"]}]}
            """)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal((1, true), (registered.GetProperty("version").GetInt32(), registered.GetProperty("created").GetBoolean()));

        var started = await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", """{"input":{"n":1},"idempotencyKey":"k1"}""")).JsonAsync(HttpStatusCode.Created);
        var runId = started.GetProperty("runId").GetInt64();
        var again = await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", """{"idempotencyKey":"k1"}""")).JsonAsync();
        Assert.Equal((runId, false), (again.GetProperty("runId").GetInt64(), again.GetProperty("created").GetBoolean()));

        var waiting = await Eventually.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/runs/{runId}")).JsonAsync(),
            run => run.GetProperty("steps")[1].GetProperty("state").GetString() == "waiting",
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(20), "the wait step");
        var file = waiting.GetProperty("steps")[0];
        Assert.Equal(("file", "task", "text.generate", "succeeded"), (file.GetProperty("id").GetString(), file.GetProperty("kind").GetString(), file.GetProperty("plugin").GetString(), file.GetProperty("state").GetString()));
        var task = await client.GetTaskAsync(file.GetProperty("taskId").GetInt64());
        Assert.Equal($"workflow:{runId}/file", task.GetProperty("owner").GetString());

        await (await client.PostJsonAsync($"/api/v1/runs/{runId}/signal", """{"signal":"nope"}""")).ProblemAsync(HttpStatusCode.Conflict, "run-state");
        await (await client.PostJsonAsync($"/api/v1/runs/{runId}/signal", """{"signal":"approve","payload":{"by":"ann"}}""")).JsonAsync();
        var run = await WaitRunAsync(client, runId, "succeeded");
        Assert.Equal("ann", run.GetProperty("output").GetProperty("done").GetProperty("by").GetString());

        var listed = await (await client.GetAsync($"/api/v1/runs?workflow={name}&state=succeeded")).JsonAsync();
        Assert.Equal(runId, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        await (await client.PostAsync($"/api/v1/runs/{runId}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict, "run-state");
    }

    [Fact]
    public async Task Metrics_CountRunsByState_TheirDuration_AndStepOutcomesByWorkflow()
    {
        using var client = Host.Admin();
        var name = Name();
        await (await client.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","steps":[{"id":"ok","kind":"noop"},{"id":"boom","kind":"fail","needs":["ok"]}]}""")).JsonAsync(HttpStatusCode.Created);
        var runId = (await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();
        await WaitRunAsync(client, runId, "failed");

        var metrics = await Eventually.UntilAsync(
            async () => new Observability.PrometheusText(await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync()),
            m => m.Value("nexus_workflow_runs_finished_total", ("workflow", name), ("state", "failed")) == 1,
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50), "the run's metrics");

        Assert.Equal(1, metrics.Value("nexus_workflow_runs_started_total", ("workflow", name)));
        Assert.Equal(1, metrics.Value("nexus_workflow_run_duration_seconds_count", ("workflow", name), ("state", "failed")));
        Assert.Equal(1, metrics.Value("nexus_workflow_steps_finished_total", ("workflow", name), ("outcome", "succeeded")));
        Assert.Equal(1, metrics.Value("nexus_workflow_steps_finished_total", ("workflow", name), ("outcome", "failed")));
    }

    [Fact]
    public async Task ThePipelineDemo_IsRegisteredAtStart_AndRunsToItsZip()
    {
        using var client = Host.Admin();
        var runId = (await (await client.PostJsonAsync("/api/v1/workflows/pipeline/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();

        var run = await WaitRunAsync(client, runId, "succeeded");

        var zip = run.GetProperty("output").GetProperty("zip");
        Assert.Equal($"pipeline/run-{runId}.zip", zip.GetProperty("path").GetString());
        Assert.Equal(10 + 4 + 2 + 3, zip.GetProperty("entries").GetInt32());
        var images = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "images");
        Assert.Equal((10, 10), (images.GetProperty("items").GetProperty("count").GetInt32(), images.GetProperty("items").GetProperty("succeeded").GetInt32()));
        var download = await client.GetAsync($"/api/v1/artifacts/pipeline/run-{runId}.zip");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(zip.GetProperty("bytes").GetInt64(), (await download.Content.ReadAsByteArrayAsync()).LongLength);
    }

    [Fact]
    public async Task AnInvalidDefinition_IsRefused_NamingTheField()
    {
        using var client = Host.Admin();
        var name = Name();

        await (await client.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","steps":[{"id":"a","kind":"noop"},{"id":"b","kind":"noop","needs":["zz"]}]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "steps[1].needs[0]");
        await (await client.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","steps":[{"id":"a","plugin":"no.such.plugin"}]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "steps[0].plugin");
        await (await client.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","steps":[{"id":"a","kind":"noop","needs":["b"]},{"id":"b","kind":"noop","needs":["a"]}]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "steps");
        await (await client.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","stepz":[]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await client.GetAsync($"/api/v1/workflows/{name}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", "{}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", """{"input":[1]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "input");
        await (await client.GetAsync("/api/v1/runs/999999999")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.GetAsync("/api/v1/runs?state=sleepy")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "state");
    }

    [Fact]
    public async Task TheSchema_IsServed_AndACallerLimitedToQueues_IsRefused()
    {
        using var client = Host.Admin();
        var schema = await (await client.GetAsync("/api/v1/workflows/schema")).JsonAsync();
        Assert.Equal("Nexus workflow definition", schema.GetProperty("title").GetString());

        var key = await (await client.PostJsonAsync("/api/v1/keys", """{"name":"wf-limited","role":"admin","queues":["only-mine"]}""")).JsonAsync(HttpStatusCode.Created);
        using var limited = Host.Client(key.GetProperty("key").GetString()!);
        await (await limited.GetAsync("/api/v1/workflows")).ProblemAsync(HttpStatusCode.Forbidden, "workflows-forbidden");
        await (await limited.GetAsync("/api/v1/runs")).ProblemAsync(HttpStatusCode.Forbidden, "workflows-forbidden");
    }

    [Fact]
    public async Task PauseResumeAndCancel_SteerARun()
    {
        using var client = Host.Admin();
        var name = Name();
        await (await client.PostJsonAsync("/api/v1/workflows", $$"""{"name":"{{name}}","steps":[{"id":"wait","kind":"waitForEvent","signal":"go"},{"id":"after","kind":"noop","needs":["wait"]}]}""")).JsonAsync(HttpStatusCode.Created);
        var runId = (await (await client.PostJsonAsync($"/api/v1/workflows/{name}/runs", "{}")).JsonAsync(HttpStatusCode.Created)).GetProperty("runId").GetInt64();

        var paused = await (await client.PostAsync($"/api/v1/runs/{runId}/pause", null)).JsonAsync();
        Assert.True(paused.GetProperty("paused").GetBoolean());
        await (await client.PostAsync($"/api/v1/runs/{runId}/pause", null)).ProblemAsync(HttpStatusCode.Conflict, "run-state");
        var resumed = await (await client.PostAsync($"/api/v1/runs/{runId}/resume", null)).JsonAsync();
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        var cancelled = await (await client.PostAsync($"/api/v1/runs/{runId}/cancel", null)).JsonAsync();
        Assert.Equal(("cancelled", "cancelled"), (cancelled.GetProperty("state").GetString(), cancelled.GetProperty("steps")[0].GetProperty("state").GetString()));
        var retried = await (await client.PostAsync($"/api/v1/runs/{runId}/retry", null)).JsonAsync();
        Assert.Equal(("running", "waiting"), (retried.GetProperty("state").GetString(), retried.GetProperty("steps")[0].GetProperty("state").GetString()));
    }
}

public sealed class SqliteWorkflowEndpointTests(SqliteServer server) : WorkflowEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresWorkflowEndpointTests(PostgresServer server) : WorkflowEndpointTests(server), IClassFixture<PostgresServer>;
