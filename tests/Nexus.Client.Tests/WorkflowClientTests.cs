using System.Net;
using System.Text.Json;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.Workflows"/> against a real server: register, start, signal, wait, steer, and the
/// server's refusals as <see cref="NexusApiException"/>s naming the field.</summary>
public sealed class WorkflowClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task ARunStartedThroughTheClient_WaitsForItsSignal_AndFinishesWithItsOutput()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var name = Clients.NewName("wf");
        var registered = await client.Workflows.RegisterAsync($$"""
            {"name":"{{name}}","steps":[{"id":"wait","kind":"waitForEvent","signal":"go"},{"id":"echo","kind":"noop","args":{"n":"${input.n}","by":"${steps.wait.output.by}"},"needs":["wait"]}]}
            """);
        Assert.Equal((1, true), (registered.Version, registered.Created));
        Assert.Equal(name, (await client.Workflows.ListAsync()).Single(w => w.Name == name).Name);

        var started = await client.Workflows.StartAsync(name, JsonDocument.Parse("""{"n":3}""").RootElement, idempotencyKey: "once");
        var paused = await client.Workflows.PauseAsync(started.RunId);
        Assert.True(paused.Paused);
        await client.Workflows.ResumeAsync(started.RunId);
        var signalled = await client.Workflows.SignalAsync(started.RunId, "go", JsonDocument.Parse("""{"by":"bo"}""").RootElement);
        Assert.Equal("succeeded", signalled.Steps![0].State);
        var run = await client.Workflows.WaitAsync(started.RunId, TimeSpan.FromMilliseconds(20));

        Assert.Equal("succeeded", run.State);
        Assert.Equal("""{"echo":{"n":3,"by":"bo"}}""", run.Output!.Value.GetRawText());
        Assert.Equal(["wait", "echo"], run.Steps!.Select(s => s.Id));
        Assert.Contains((await client.Workflows.ListRunsAsync(workflow: name)).Items, r => r.Id == run.Id);
        var again = await client.Workflows.StartAsync(name, idempotencyKey: "once");
        Assert.Equal((started.RunId, false), (again.RunId, again.Created));
    }

    [Fact]
    public async Task AnInvalidDefinition_ThrowsNamingTheField()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var ex = await Assert.ThrowsAsync<NexusApiException>(() => client.Workflows.RegisterAsync("""{"name":"bad-one","steps":[{"id":"a","kind":"noop","needs":["nope"]}]}"""));

        Assert.Equal((HttpStatusCode.BadRequest, "steps[0].needs[0]"), (ex.Status, ex.Field));
        var missing = await Assert.ThrowsAsync<NexusApiException>(() => client.Workflows.GetRunAsync(987_654_321));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }
}
