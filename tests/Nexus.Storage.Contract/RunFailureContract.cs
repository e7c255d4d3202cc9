using Microsoft.Extensions.DependencyInjection;
using Nexus.Tasks;
using Nexus.Testing;
using Nexus.Workflows;

namespace Nexus.Storage.Contract;

/// <summary>The suspected deadlock when a failing step makes its run cancel the other steps under the run lock while
/// those steps' own completions lock their task rows and then the run (brief item 6). Many runs fail at once, each
/// with many siblings finishing around the failure: every run must end failed, every step task must end, and no
/// attempt may run twice (a completion lost to a deadlock abort comes back through lease expiry as a second run).</summary>
public abstract class RunFailureContract : EngineHarness
{
    [Fact]
    public async Task ManyRunsFailingWhileTheirSiblingsComplete_AllEnd_AndNoAttemptRunsTwice()
    {
        var (host, tasks) = await StartAsync(o => o.Concurrency = 16);
        var workflows = host.Services.GetRequiredService<INexusWorkflows>();
        var siblings = string.Join(",", Enumerable.Range(0, 15).Select(i => "{\"id\":\"s" + i + "\",\"plugin\":\"test.probe\",\"args\":{\"value\":\"s" + i + "-${run.id}\"}}"));
        await workflows.RegisterAsync(WorkflowJson.Parse($$"""
            {"name":"fail-wide","steps":[{"id":"boom","plugin":"test.probe","args":{"mode":"permanent"},"maxAttempts":1},{{siblings}}]}
            """));

        var ids = new List<long>();
        for (var i = 0; i < 8; i++) ids.Add((await workflows.StartAsync("fail-wide", "{}")).RunId);
        var runs = await Eventually.WithinAsync(Task.WhenAll(ids.Select(id => workflows.WaitAsync(id))), TimeSpan.FromSeconds(120), "every run to end");

        Assert.All(runs, r => Assert.Equal(RunState.Failed, r.State));
        var all = await tasks.ListAsync(new TaskQuery { Limit = 1000 });
        var owned = all.Items.Where(t => t.Owner?.StartsWith("workflow:", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(8 * 16, owned.Count);
        Assert.All(owned, t => Assert.True(t.State is TaskState.Succeeded or TaskState.Dead or TaskState.Cancelled, $"task {t.Id} ({t.Owner}) is {t.State}"));
        Assert.All(Probe.Runs, p => Assert.Equal(1, p.Value));
        Assert.DoesNotContain(Logs.Messages, m => m.Contains("deadlock", StringComparison.OrdinalIgnoreCase));
    }
}
