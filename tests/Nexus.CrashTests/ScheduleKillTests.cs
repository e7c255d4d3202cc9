using Nexus.CrashTests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>A cron slot fires once with nodes dying: three processes run an every-second schedule; two are killed with
/// SIGKILL one after the other (whatever they were doing — a tick's transaction may be cut in half) and one is started
/// again. Every slot from the first to the last is decided exactly once (no gap, no second fire), every decided slot's
/// task exists and succeeds, and only tasks whose lease a killed process held run again.</summary>
public sealed class ScheduleKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OnePostgresSchema_NodesKilledWhileFiring_EachSlotFiresOnce()
    {
        var server = await PostgresTestServer.GetAsync();
        await using var scene = await CrashScene.PostgresAsync(server.ConnectionString, server.ConnectionStringFor, output);
        await RunAsync(scene);
    }

    [Fact]
    public async Task OneSqliteFile_NodesKilledWhileFiring_EachSlotFiresOnce()
    {
        await using var scene = await CrashScene.SqliteAsync(output);
        await RunAsync(scene);
    }

    private static async Task RunAsync(CrashScene scene)
    {
        var schedules = await ScheduleScenario.PutEverySecondAsync(scene, taskMs: 200);
        var nodes = new Dictionary<string, WorkerProcess>(StringComparer.Ordinal);
        async Task StartAsync(string node, int tick) =>
            nodes[node] = await scene.StartWorkerAsync(node, s => s with { Scheduler = TimeSpan.FromMilliseconds(tick), Poll = TimeSpan.FromMilliseconds(200) });
        await StartAsync("s-1", 100);
        await StartAsync("s-2", 70);
        await StartAsync("s-3", 130);

        async Task<int> DecidedAsync(string? node = null) => (await ScheduleScenario.HistoryAsync(schedules)).Count(h => node is null || h.Node == node);
        async Task WaitForMoreSlotsAsync(int more, string because)
        {
            var target = await DecidedAsync() + more;
            await Eventually.UntilAsync(async () => await DecidedAsync() >= target, Eventually.Long,
                async () => $"{target} slots decided ({because}); so far {await DecidedAsync()}.{Environment.NewLine}{scene.WorkerLogs()}");
        }

        // Kill each victim right after it decided a slot: its next ticks (every 70–100 ms) are then under way.
        async Task KillAfterItFiresAsync(string node)
        {
            var before = await DecidedAsync(node);
            await Eventually.UntilAsync(async () => await DecidedAsync(node) > before,
                Eventually.Long, () => Task.FromResult($"{node} to decide a slot.{Environment.NewLine}{scene.WorkerLogs()}"));
            await nodes[node].KillAsync();
            scene.Log($"killed {node} (pid {nodes[node].Pid})");
        }

        await WaitForMoreSlotsAsync(3, "all three up");
        await KillAfterItFiresAsync("s-2");
        await WaitForMoreSlotsAsync(3, "after the first kill");
        await KillAfterItFiresAsync("s-1");
        await WaitForMoreSlotsAsync(3, "one node left");
        await StartAsync("s-1-again", 90);
        // Until the restarted process has decided a slot itself (it competes with s-3; the periods differ, so the phase
        // that wins a slot drifts and it wins some within the deadline).
        await Eventually.UntilAsync(async () => await DecidedAsync("s-1-again") > 0, Eventually.Long,
            async () => $"the restarted process to decide a slot; so far {await DecidedAsync()} slots.{Environment.NewLine}{scene.WorkerLogs()}");

        // A slot whose deciding transaction died with its process was decided by another node, never skipped; tasks
        // leased by the killed processes came back when their leases lapsed and ran again as attempt 2.
        await ScheduleScenario.PauseAndCheckAsync(scene, schedules, t => t.Errors.Any(e => e.Type == "LeaseExpired"));
    }
}
