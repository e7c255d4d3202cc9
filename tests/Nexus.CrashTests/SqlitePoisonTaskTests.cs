using Nexus.CrashTests.Infrastructure;
using Nexus.CrashTests.Worker;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>A poison task — one that kills every worker process that runs it — ends dead after its attempts with the
/// reason recorded, while the other tasks keep flowing through the workers that replace the dead ones.</summary>
public sealed class SqlitePoisonTaskTests(ITestOutputHelper output) : IAsyncLifetime
{
    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.SqliteAsync(output);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task APoisonTask_IsDeadAfterItsAttempts_WithTheLeaseLapsesRecorded_AndEveryOtherTaskSucceeds()
    {
        Func<WorkerSettings, WorkerSettings> settings = s => s with { Poll = TimeSpan.FromMilliseconds(100) };
        var next = 0;
        await _scene.StartWorkerAsync($"w-{next++}", settings);
        await _scene.StartWorkerAsync($"w-{next++}", settings);
        var poison = (await _scene.Tasks.SubmitJsonAsync(CrashWorkPlugin.Name, """{"ms":0,"poison":true}""", new SubmitOptions { MaxAttempts = 3 })).Id;
        var others = await _scene.SubmitAsync(150, ms: 20);

        // The test is the supervisor: a worker that died is replaced, as a service manager would.
        await Eventually.UntilAsync(
            async () =>
            {
                foreach (var dead in _scene.Workers.Where(w => w.HasExited).ToList())
                {
                    if (_scene.Workers.Count(w => !w.HasExited) < 2) await _scene.StartWorkerAsync($"w-{next++}", settings);
                }
                var all = await _scene.AllTasksAsync();
                return all.Single(t => t.Id == poison).State == TaskState.Dead && all.Count(t => t.State == TaskState.Succeeded) == others.Count;
            },
            Eventually.Long,
            () => Task.FromResult($"the poison task to be dead and the others succeeded.{Environment.NewLine}{_scene.WorkerLogs()}"));

        var dead = (await _scene.Store.Tasks.GetAsync(poison))!;
        Assert.True(dead.Attempt == 3, $"the poison task ended at attempt {dead.Attempt}: {string.Join(" / ", dead.Errors.Select(e => e.Type + ": " + e.Message))}");
        Assert.Equal(["LeaseExpired", "LeaseExpired", "LeaseExpired"], dead.Errors.Select(e => e.Type));
        Assert.Equal(3, _scene.History().Count(h => h.TaskId == poison && h.Kind == HistoryKind.Start));
        Assert.True(_scene.Workers.Count(w => w.HasExited) >= 3, "each attempt of the poison task should have killed its worker");

        // Nothing else was lost or ran twice, except tasks a dying worker held (their lapse is on record).
        // The poison task was checked above; the report covers every other one.
        var report = CrashReport.Build(
            others,
            [.. (await _scene.AllTasksAsync()).Where(t => t.Id != poison)],
            [.. _scene.History().Where(h => h.TaskId != poison)],
            t => t.Errors.Any(e => e.Type == "LeaseExpired"));
        _scene.Log("report: " + report);
        _scene.AssertClean(report);
    }
}
