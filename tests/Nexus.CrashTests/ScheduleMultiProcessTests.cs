using Nexus.CrashTests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
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
        var schedules = await ScheduleScenario.PutEverySecondAsync(scene, taskMs: 5);
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
                var decided = await ScheduleScenario.HistoryAsync(schedules);
                return decided.Count >= Slots && decided.Select(h => h.Node).Distinct().Count() >= 2;
            }, Eventually.Long,
            async () => $"{Slots} slots decided by at least two processes; so far: {string.Join(", ", (await ScheduleScenario.HistoryAsync(schedules)).GroupBy(h => h.Node).Select(g => $"{g.Key} {g.Count()}"))}.{Environment.NewLine}{scene.WorkerLogs()}");

        var history = await ScheduleScenario.PauseAndCheckAsync(scene, schedules, _ => false);
        Assert.True(history.Select(h => h.Node).Distinct().Count() >= 2, "Only one process ever fired, so the schedulers never competed.");
    }
}
