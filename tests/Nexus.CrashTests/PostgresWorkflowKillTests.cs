using Microsoft.Extensions.DependencyInjection;
using Nexus.CrashTests.Infrastructure;
using Nexus.CrashTests.Worker;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Nexus.Workflows;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>kill -9 of a worker process during a workflow's fan-in: the killed worker's items are rescued and run on a
/// survivor, no step is lost, and the join after the forEach runs exactly once.</summary>
public sealed class PostgresWorkflowKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Items = 60;
    private CrashScene _scene = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _scene = await CrashScene.PostgresAsync(server.ConnectionString, server.ConnectionStringFor, output);
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task KillingAWorkerDuringAFanIn_LosesNoItem_AndTheJoinRunsExactlyOnce()
    {
        var victim = await _scene.StartWorkerAsync(KillScenario.Victim, s => s with { Concurrency = 6 });
        await _scene.StartWorkerAsync("survivor-1", s => s with { Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        await _scene.StartWorkerAsync("survivor-2", s => s with { Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        var workflows = _scene.Services.GetRequiredService<INexusWorkflows>();
        // Items of 400 ms keep the victim holding leases for a few seconds of the fan-out (14 slots over 60 items), so
        // the poll below sees it mid-run even on a loaded machine; at 150 ms the whole window was about 650 ms.
        await workflows.RegisterAsync(WorkflowJson.Parse($$"""
            {"name":"crash-fan","steps":[
              {"id":"each","kind":"forEach","items":"${input.items}","maxParallel":{{Items}},"plugin":"{{CrashWorkPlugin.Name}}","args":{"ms":400} },
              {"id":"join","plugin":"{{CrashWorkPlugin.Name}}","args":{"ms":0} ,"needs":["each"]}]}
            """));
        var runId = (await workflows.StartAsync("crash-fan", $$"""{"items":[{{string.Join(",", Enumerable.Range(0, Items))}}]}""")).RunId;

        await Eventually.UntilAsync(
            async () => KillScenario.Finished(_scene, KillScenario.Victim) >= 3 && (await _scene.AllTasksAsync()).Any(t => t.State == TaskState.Running && t.LeasedBy == KillScenario.Victim),
            Eventually.Long,
            () => Task.FromResult($"the victim to finish 3 items and hold a lease.{Environment.NewLine}{_scene.WorkerLogs()}"));
        await victim.KillAsync();
        var held = KillScenario.HeldBy(KillScenario.Victim, await _scene.AllTasksAsync(), _scene.History());
        _scene.Log($"killed the victim holding [{string.Join(", ", held.Order())}]");
        Assert.NotEmpty(held);

        await Eventually.UntilAsync(
            async () => (await workflows.GetRunAsync(runId))!.Run.State != RunState.Running,
            Eventually.Long,
            async () => $"run {runId} to finish: {(await workflows.GetRunAsync(runId))!.Run.State}{Environment.NewLine}{_scene.WorkerLogs()}");

        var run = (await workflows.GetRunAsync(runId))!;
        Assert.Equal(RunState.Succeeded, run.Run.State);
        var each = run.Steps.Single(s => s.StepId == "each");
        Assert.Equal((Items, Items), (each.ItemCount, each.ItemsDone));
        var tasks = await _scene.AllTasksAsync();
        var joins = tasks.Where(t => t.Owner == $"workflow:{runId}/join").ToList();
        var join = Assert.Single(joins);
        Assert.Single(_scene.History(), h => h.TaskId == join.Id && h.Kind == HistoryKind.Start);
        var items = tasks.Where(t => t.Owner?.StartsWith($"workflow:{runId}/each#", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(Items, items.Count);
        Assert.All(items, t => Assert.Equal(TaskState.Succeeded, t.State));
        Assert.Contains(items, t => held.Contains(t.Id));
    }
}
