using System.Text.Json;
using Nexus.CrashTests.Worker;
using Nexus.Tasks;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>The kill -9 scenario, the same on both stores: a victim and survivors share the work; the victim is killed
/// while it holds leases; every task must still succeed, and exactly the tasks whose lease the victim held run again.</summary>
internal static class KillScenario
{
    public const string Victim = "victim";

    public static async Task RunAsync(CrashScene scene, int taskCount, int taskMs, int survivorCount, Func<WorkerSettings, WorkerSettings> common)
    {
        // The survivors' own leases are long: on a loaded machine a late heartbeat of theirs must not let one of their
        // leases expire, which would blur which re-runs the kill caused. The victim keeps the short lease.
        var victim = await scene.StartWorkerAsync(Victim, s => common(s) with { Concurrency = 6 });
        for (var i = 1; i <= survivorCount; i++)
        {
            await scene.StartWorkerAsync($"survivor-{i}", s => common(s) with { Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        }
        var ids = await scene.SubmitAsync(taskCount, taskMs);
        scene.Log($"submitted {ids.Count} tasks of {taskMs} ms");

        // Kill once the victim has done some work and holds leases at this very moment.
        await Eventually.UntilAsync(
            async () => Finished(scene, Victim) >= 10 && (await scene.AllTasksAsync()).Any(t => t.State == TaskState.Running && t.LeasedBy == Victim),
            Eventually.Long,
            () => Task.FromResult($"the victim to finish 10 tasks and hold a lease (finished {Finished(scene, Victim)}).{Environment.NewLine}{scene.WorkerLogs()}"));
        await victim.KillAsync();
        var atKill = await scene.AllTasksAsync();
        var held = HeldBy(Victim, atKill, scene.History());
        scene.Log($"killed the victim (pid {victim.Pid}) after it finished {Finished(scene, Victim)} tasks; it held the leases of [{string.Join(", ", held.Order())}]");
        Assert.True(held.Count > 0, "The victim held no lease when it was killed, so the kill proved nothing.");

        await scene.WaitAllSucceededAsync(ids, Eventually.Long);
        var report = await scene.ReportAsync(ids, t => held.Contains(t.Id));
        scene.AssertClean(report);

        // Every lease the victim held was rescued and its task ran again on a survivor as attempt 2 — except when the
        // kill raced a completion the database had already received, which then stands as the victim's result.
        var final = (await scene.AllTasksAsync()).ToDictionary(t => t.Id);
        foreach (var id in held.Order())
        {
            var task = final[id];
            var result = JsonSerializer.Deserialize<CrashWorkResult>(task.ResultJson!, NexusJson.Options)!;
            if (result.Node == Victim && task.Attempt == 1)
            {
                scene.Log($"task {id}: the victim's completion reached the database as it was killed; it stands, and the task did not run again");
                continue;
            }
            Assert.True(task.Attempt == 2 && result.Node.StartsWith("survivor-", StringComparison.Ordinal) && result.Attempt == 2,
                $"task {id}, whose lease the victim held, should have run again on a survivor as attempt 2, but ended attempt {task.Attempt} with {task.ResultJson}. {report}");
            var expired = Assert.Single(task.Errors);
            Assert.Equal(("LeaseExpired", 1), (expired.Type, expired.Attempt));
        }
        Assert.True(report.Rerun.IsSubsetOf(held), $"Only the victim's tasks may run again, but these did too: [{string.Join(", ", report.Rerun.Except(held))}]. {report}");
    }

    public static int Finished(CrashScene scene, string node) =>
        scene.History().Count(h => h.Node == node && h.Kind == HistoryKind.Finish);

    /// <summary>The tasks whose lease <paramref name="node"/> held: still running under its name, or already rescued
    /// from an attempt it had started (if a rescue beat the snapshot).</summary>
    public static HashSet<long> HeldBy(string node, IReadOnlyList<TaskRecord> tasks, IReadOnlyList<HistoryRecord> history)
    {
        var started = history.Where(h => h.Node == node && h.Kind == HistoryKind.Start).Select(h => (h.TaskId, h.Attempt)).ToHashSet();
        return tasks
            .Where(t => (t.State == TaskState.Running && t.LeasedBy == node)
                || t.Errors.Any(e => e.Type == "LeaseExpired" && started.Contains((t.Id, e.Attempt))))
            .Select(t => t.Id)
            .ToHashSet();
    }
}
