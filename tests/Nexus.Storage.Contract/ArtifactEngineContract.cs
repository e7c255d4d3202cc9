using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Artifacts;
using Nexus.Hosting;
using Nexus.Tasks;
using Nexus.Testing;
using Nexus.Workflows;

namespace Nexus.Storage.Contract;

/// <summary>Artifacts on the real engine and the driver under test: files a task writes, the claim check of large
/// outputs (stored once, resolved for the step downstream) and each attempt's log.</summary>
public abstract class ArtifactEngineContract : EngineHarness
{
    private async Task<(INexusWorkflows Workflows, INexusTasks Tasks, IArtifactStore Store, ClaimCheck Claims)> StartArtifactsAsync()
    {
        var (host, tasks) = await StartAsync(nexus: n => n.AddPlugin<ArtifactProbePlugin>());
        return (host.Services.GetRequiredService<INexusWorkflows>(), tasks, host.Services.GetRequiredService<IArtifactStore>(), host.Services.GetRequiredService<ClaimCheck>());
    }

    private static async Task<string> ReadAsync(IArtifactStore store, string name)
    {
        await using var content = await store.OpenAsync(name) ?? throw new Xunit.Sdk.XunitException($"no artifact {name}");
        return await new StreamReader(content, Encoding.UTF8).ReadToEndAsync();
    }

    private static async Task<WorkflowRun> RunAsync(INexusWorkflows workflows, string definition, string input = "{}")
    {
        var stored = (await workflows.RegisterAsync(WorkflowJson.Parse(definition))).Workflow;
        var started = await workflows.StartAsync(stored.Name, input);
        return await Eventually.WithinAsync(workflows.WaitAsync(started.RunId), TimeSpan.FromSeconds(90), $"run {started.RunId} to finish");
    }

    [Fact]
    public async Task AStep_WritesUnderItsRunAndStep_AndAPlainTask_UnderItsId()
    {
        var (workflows, tasks, store, _) = await StartArtifactsAsync();
        var run = await RunAsync(workflows, """
            {"name":"files","steps":[{"id":"write","plugin":"test.artifacts","args":{"file":"out/report.txt","content":"from a step"}}]}
            """);
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal("from a step", await ReadAsync(store, $"runs/{run.Id}/write/out/report.txt"));
        Assert.Equal([$"runs/{run.Id}/write/out/report.txt"], (await store.ListAsync($"runs/{run.Id}/")).Select(a => a.Name));

        var submitted = await tasks.SubmitAsync("test.artifacts", new ArtifactProbeArgs { File = "plain.txt", Content = "from a task" });
        var task = await WaitFinishedAsync(tasks, submitted.Id);
        Assert.Equal(TaskState.Succeeded, task.State);
        Assert.Equal("from a task", await ReadAsync(store, $"tasks/{task.Id}/plain.txt"));
        Assert.Equal($"tasks/{task.Id}/plain.txt", JsonDocument.Parse(task.ResultJson!).RootElement.GetProperty("written").GetString());
    }

    [Fact]
    public async Task AFileNameThatLeavesTheFolder_FailsTheAttempt_NamingTheField()
    {
        var (_, tasks, store, _) = await StartArtifactsAsync();
        var submitted = await tasks.SubmitAsync("test.artifacts", new ArtifactProbeArgs { File = "../../escape.txt", Content = "no" }, new SubmitOptions { MaxAttempts = 1 });
        var task = await WaitFinishedAsync(tasks, submitted.Id);
        Assert.Equal(TaskState.Dead, task.State);
        Assert.Contains("name: has a '..' segment", task.Errors[^1].Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync(""));
    }

    [Fact]
    public async Task AnOutputOverTheLimit_IsStoredOnce_AndTheStepsDownstreamSeeTheValue()
    {
        ConfigureArtifacts = o => o.InlineLimitBytes = 1024;
        var (workflows, tasks, store, claims) = await StartArtifactsAsync();
        var run = await RunAsync(workflows, """
            {"name":"claims","steps":[
              {"id":"big","plugin":"test.artifacts","args":{"outputChars":5000}},
              {"id":"part","plugin":"test.artifacts","args":{"echo":"${steps.big.output.text}"},"needs":["big"]},
              {"id":"whole","plugin":"test.artifacts","args":{"echo":"${steps.big.output}"},"needs":["big"]},
              {"id":"small","plugin":"test.artifacts","args":{"outputChars":10}}]}
            """);

        Assert.Equal(RunState.Succeeded, run.State);
        var steps = (await workflows.GetRunAsync(run.Id))!.Steps.ToDictionary(s => s.StepId);
        // The step keeps a reference; the artifact holds the whole output.
        var reference = JsonDocument.Parse(steps["big"].OutputJson!).RootElement;
        Assert.Equal($"runs/{run.Id}/big/output-1.json", reference.GetProperty("$artifact").GetString());
        Assert.True(reference.GetProperty("bytes").GetInt64() > 5000);
        var stored = JsonDocument.Parse(await ReadAsync(store, $"runs/{run.Id}/big/output-1.json")).RootElement;
        Assert.Equal(5000, stored.GetProperty("text").GetString()!.Length);
        // ${steps.big.output.text} reads into it: the step saw the 5,000 characters, not the reference.
        var part = JsonDocument.Parse(steps["part"].OutputJson!).RootElement;
        Assert.Equal(("String", 5000, "xxxxxxxxxxxxxxxxxxxx"), (part.GetProperty("echoKind").GetString(), part.GetProperty("echoLength").GetInt32(), part.GetProperty("echoStart").GetString()));
        var whole = JsonDocument.Parse(steps["whole"].OutputJson!).RootElement;
        Assert.Equal("Object", whole.GetProperty("echoKind").GetString());
        Assert.True(whole.GetProperty("echoLength").GetInt32() > 5000);
        // The stored args of the downstream task keep the small reference (with the path it reads).
        var partTask = await tasks.GetAsync(steps["part"].TaskId!.Value);
        var echoArg = JsonDocument.Parse(partTask!.ArgsJson).RootElement.GetProperty("echo");
        Assert.Equal(($"runs/{run.Id}/big/output-1.json", "text"), (echoArg.GetProperty("$artifact").GetString(), echoArg.GetProperty("path").GetString()));
        Assert.True(partTask.ArgsJson.Length < 200);
        // Small outputs stay inline, and resolving a reference gives the value back.
        Assert.False(ArtifactReference.IsReference(steps["small"].OutputJson));
        var resolved = await claims.ResolveAsync(steps["big"].OutputJson, CancellationToken.None);
        Assert.Equal(5000, JsonDocument.Parse(resolved!).RootElement.GetProperty("text").GetString()!.Length);
    }

    [Fact]
    public async Task AReferenceWhoseArtifactIsGone_FailsTheStep_WithoutRetrying()
    {
        ConfigureArtifacts = o => o.InlineLimitBytes = 1024;
        var (_, tasks, store, _) = await StartArtifactsAsync();
        var big = await WaitFinishedAsync(tasks, (await tasks.SubmitAsync("test.artifacts", new ArtifactProbeArgs { OutputChars = 3000 })).Id);
        var name = JsonDocument.Parse(big.ResultJson!).RootElement.GetProperty("$artifact").GetString()!;
        Assert.True(await store.DeleteAsync(name));
        var args = $$"""{"echo":{{big.ResultJson}}}""";
        var reader = await WaitFinishedAsync(tasks, (await tasks.SubmitAsync("test.artifacts", JsonDocument.Parse(args).RootElement, new SubmitOptions { MaxAttempts = 5 })).Id);
        Assert.Equal(TaskState.Dead, reader.State);
        Assert.Equal(1, reader.Attempt);
        Assert.Contains($"artifact '{name}': it is not in the artifact store", reader.Errors[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachAttempt_KeepsItsOwnLog_ReadablePerStepAndAttempt()
    {
        var (workflows, tasks, store, _) = await StartArtifactsAsync();
        var submitted = await tasks.SubmitAsync("test.artifacts", new ArtifactProbeArgs { LogLines = 3, FailAttempts = 1 },
            new SubmitOptions { MaxAttempts = 2, Retry = new RetryPolicy { InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero } });
        var task = await WaitFinishedAsync(tasks, submitted.Id);
        Assert.Equal((TaskState.Succeeded, 2), (task.State, task.Attempt));
        var first = await ReadAsync(store, $"tasks/{task.Id}/logs/attempt-1.log");
        var second = await ReadAsync(store, $"tasks/{task.Id}/logs/attempt-2.log");
        Assert.Equal(4, first.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(" info line 1 of attempt 1", first, StringComparison.Ordinal);
        Assert.Contains(" fail giving up on attempt 1", first, StringComparison.Ordinal);
        Assert.Equal(3, second.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(" info line 3 of attempt 2", second, StringComparison.Ordinal);

        var run = await RunAsync(workflows, """{"name":"logs","steps":[{"id":"talk","plugin":"test.artifacts","args":{"logLines":2}},{"id":"quiet","plugin":"test.artifacts","args":{}}]}""");
        Assert.Contains("line 2 of attempt 1", await ReadAsync(store, $"runs/{run.Id}/talk/logs/attempt-1.log"), StringComparison.Ordinal);
        // An attempt that logged nothing writes nothing.
        Assert.Empty(await store.ListAsync($"runs/{run.Id}/quiet/"));
    }

    [Fact]
    public async Task AnAttemptsLog_IsBounded_AndSaysWhatItDropped()
    {
        ConfigureArtifacts = o => o.MaxLogLines = 10;
        var (_, tasks, store, _) = await StartArtifactsAsync();
        var task = await WaitFinishedAsync(tasks, (await tasks.SubmitAsync("test.artifacts", new ArtifactProbeArgs { LogLines = 50 })).Id);
        var log = await ReadAsync(store, $"tasks/{task.Id}/logs/attempt-1.log");
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.Contains("line 10 of attempt 1", lines[9], StringComparison.Ordinal);
        Assert.StartsWith("… 40 more line(s) dropped", lines[10], StringComparison.Ordinal);
    }
}
