using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.CrashTests.Infrastructure;
using Nexus.CrashTests.Worker;
using Nexus.Scheduling;
using Nexus.Storage;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>Three worker processes, each running its own scheduler loop (every node ticks; none is trusted as leader),
/// on one PostgreSQL schema and on one SQLite file: every slot of an every-second schedule is decided exactly once,
/// fires exactly one task, and that task runs once.</summary>
public sealed class ScheduleMultiProcessTests(ITestOutputHelper output)
{
    private const int Slots = 12;

    [Fact]
    public async Task ThreeProcessesOnOnePostgresSchema_FireEachSlotExactlyOnce()
    {
        var server = await PostgresTestServer.GetAsync();
        await using var scene = await CrashScene.PostgresAsync(server.ConnectionString, server.ConnectionStringFor, output);
        await RunAsync(scene);
    }

    [Fact]
    public async Task ThreeProcessesOnOneSqliteFile_FireEachSlotExactlyOnce()
    {
        await using var scene = await CrashScene.SqliteAsync(output);
        await RunAsync(scene);
    }

    private static async Task RunAsync(CrashScene scene)
    {
        var schedules = scene.Services.GetRequiredService<INexusSchedules>();
        await schedules.PutAsync(new ScheduleSpec
        {
            Name = "every-second",
            Cron = "* * * * * *",
            Target = JsonSerializer.SerializeToElement(new { task = new { plugin = CrashWorkPlugin.Name, args = new { ms = 5 } } }),
        });
        foreach (var (node, tick) in new[] { ("s-1", 100), ("s-2", 70), ("s-3", 130) })
        {
            // Short ticks, so the three loops keep colliding on the same slots; different periods, so the one that ticks
            // first after a slot begins changes from slot to slot (with equal periods one phase could win them all).
            await scene.StartWorkerAsync(node, s => s with { Scheduler = TimeSpan.FromMilliseconds(tick), Poll = TimeSpan.FromMilliseconds(200), Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        }

        // Until enough slots are decided and more than one process has won one: the processes start one after another,
        // so the first may win every slot of the first seconds alone; the run goes on until they have competed.
        await Eventually.UntilAsync(async () =>
            {
                var decided = await schedules.HistoryAsync("every-second", limit: 1000);
                return decided.Count >= Slots && decided.Select(h => h.Node).Distinct().Count() >= 2;
            }, Eventually.Long,
            async () => $"{Slots} slots decided by at least two processes; so far: {string.Join(", ", (await schedules.HistoryAsync("every-second", limit: 1000)).GroupBy(h => h.Node).Select(g => $"{g.Key} {g.Count()}"))}.{Environment.NewLine}{scene.WorkerLogs()}");
        await schedules.PauseAsync("every-second", "test over");
        // A tick that read the schedule before the pause may still fire once: wait until every fired task has run.
        await Eventually.UntilAsync(async () =>
        {
            var fired = await schedules.HistoryAsync("every-second", limit: 1000);
            var done = (await scene.AllTasksAsync()).Where(t => t.Tags.Contains("schedule:every-second")).ToList();
            return done.Count == fired.Count && done.All(t => t.State == TaskState.Succeeded);
        }, Eventually.Long, () => Task.FromResult($"every fired task to succeed.{Environment.NewLine}{scene.WorkerLogs()}"));
        foreach (var worker in scene.Workers) await worker.StopGracefullyAsync();

        var history = (await schedules.HistoryAsync("every-second", limit: 1000)).OrderBy(h => h.Slot).ToList();
        scene.Log("slots decided per node: " + string.Join(", ", history.GroupBy(h => h.Node).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")));
        // Every second from the first slot to the last was decided: none lost, none twice (the key forbids twice; a lost
        // slot would be a gap), and every one fired (the nodes were up, so none was late).
        var first = history[0].Slot;
        Assert.Equal(Enumerable.Range(0, history.Count).Select(i => first.AddSeconds(i)), history.Select(h => h.Slot));
        Assert.All(history, h => Assert.Equal(FireOutcome.Fired, h.Outcome));
        var tasks = (await scene.AllTasksAsync()).Where(t => t.Tags.Contains("schedule:every-second")).ToList();
        Assert.Equal(history.Select(h => h.TaskId!.Value).Order(), tasks.Select(t => t.Id).Order());
        Assert.True(history.Select(h => h.Node).Distinct().Count() >= 2, "Only one process ever fired, so the schedulers never competed.");

        // Each fired task ran exactly once (the worker histories): no duplicate starts of a (task, attempt).
        var report = await scene.ReportAsync(tasks.Select(t => t.Id).ToList(), _ => false);
        scene.AssertClean(report);
    }
}
