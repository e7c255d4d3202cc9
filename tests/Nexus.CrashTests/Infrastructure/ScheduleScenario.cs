using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.CrashTests.Worker;
using Nexus.Scheduling;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>The every-second schedule of the multi-process schedule tests, and what must hold once it is paused: every
/// slot from the first to the last decided exactly once and fired, each fired task stored and succeeded, none run twice
/// unless the test allows it.</summary>
internal static class ScheduleScenario
{
    public const string Name = "every-second";

    public static async Task<INexusSchedules> PutEverySecondAsync(CrashScene scene, int taskMs)
    {
        var schedules = scene.Services.GetRequiredService<INexusSchedules>();
        await schedules.PutAsync(new ScheduleSpec
        {
            Name = Name,
            Cron = "* * * * * *",
            Target = JsonSerializer.SerializeToElement(new { task = new { plugin = CrashWorkPlugin.Name, args = new { ms = taskMs } } }),
        });
        return schedules;
    }

    public static async Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(INexusSchedules schedules) =>
        await schedules.HistoryAsync(Name, limit: 1000);

    /// <summary>Pauses the schedule, waits until every fired task has succeeded (a tick that read the schedule before the
    /// pause may still fire once), stops the live workers, and checks the slots and the tasks.</summary>
    public static async Task<IReadOnlyList<ScheduleFireRecord>> PauseAndCheckAsync(CrashScene scene, INexusSchedules schedules, Func<TaskRecord, bool> mayRunAgain)
    {
        await schedules.PauseAsync(Name, "test over");
        await Eventually.UntilAsync(async () =>
        {
            var fired = await HistoryAsync(schedules);
            var done = await FiredTasksAsync(scene);
            return done.Count == fired.Count && done.All(t => t.State == TaskState.Succeeded);
        }, Eventually.Long, () => Task.FromResult($"every fired task to succeed.{Environment.NewLine}{scene.WorkerLogs()}"));
        foreach (var worker in scene.Workers.Where(w => !w.HasExited)) await worker.StopGracefullyAsync();

        var history = (await HistoryAsync(schedules)).OrderBy(h => h.Slot).ToList();
        scene.Log("slots decided per node: " + string.Join(", ", history.GroupBy(h => h.Node).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        // Every second from the first slot to the last was decided: none lost, none twice (the key forbids twice; a lost
        // slot would be a gap), and every one fired (none was late beyond the misfire threshold).
        var first = history[0].Slot;
        Assert.Equal(Enumerable.Range(0, history.Count).Select(i => first.AddSeconds(i)), history.Select(h => h.Slot));
        Assert.All(history, h => Assert.Equal(FireOutcome.Fired, h.Outcome));
        var tasks = await FiredTasksAsync(scene);
        Assert.Equal(history.Select(h => h.TaskId!.Value).Order(), tasks.Select(t => t.Id).Order());

        // Each fired task ran once (the worker histories), except those the test allows to run again.
        var report = await scene.ReportAsync(tasks.Select(t => t.Id).ToList(), mayRunAgain);
        scene.AssertClean(report);
        return history;
    }

    private static async Task<List<TaskRecord>> FiredTasksAsync(CrashScene scene) =>
        (await scene.AllTasksAsync()).Where(t => t.Tags.Contains("schedule:" + Name)).ToList();
}
