using System.Text.Json;
using Nexus.CrashTests.Infrastructure;
using Nexus.CrashTests.Worker;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>SIGSTOP of a PostgreSQL worker past its lease, then SIGCONT: the lease-token fence must refuse what it
/// finishes late.</summary>
public sealed class PostgresFreezeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Held = 6;
    private CrashScene _scene = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _scene = await CrashScene.PostgresAsync(server.ConnectionString, server.ConnectionStringFor, output);
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task FrozenWorker_ThawedAfterItsLeasesWereRescued_HasItsLateCompletionsRejected()
    {
        // The frozen worker's attempts wait for a gate file and ignore cancellation: once thawed they really finish and
        // hand in a success for a lease that is long gone.
        var gate = Path.Combine(_scene.Folder, "gate");
        var frozen = await _scene.StartWorkerAsync("frozen", s => s with { Concurrency = Held, Gate = gate });
        var ids = await _scene.SubmitAsync(Held + 20, ms: 50);
        await Eventually.UntilAsync(
            () => Starts("frozen").Count == Held, Eventually.Long,
            () => $"the worker to start {Held} attempts (started {Starts("frozen").Count}).{Environment.NewLine}{_scene.WorkerLogs()}");
        var held = Starts("frozen").Select(s => s.TaskId).ToHashSet();

        frozen.Freeze();
        _scene.Log($"froze the worker (pid {frozen.Pid}) holding [{string.Join(", ", held.Order())}]");
        // The rescuer's own lease is long, so that only the frozen worker's leases can expire in this test.
        await _scene.StartWorkerAsync("rescuer", s => s with { Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        await _scene.WaitAllSucceededAsync(ids, Eventually.Long);
        _scene.Log("every task succeeded while the worker was frozen");

        await File.WriteAllTextAsync(gate, "open");
        frozen.Thaw();
        await Eventually.UntilAsync(
            () => _scene.History().Count(h => h.Node == "frozen" && h.Kind == HistoryKind.Finish) == Held, Eventually.Long,
            () => $"the thawed worker to finish its {Held} stale attempts.{Environment.NewLine}{_scene.WorkerLogs()}");
        // A graceful stop writes every pending completion before the process exits: the stale ones have been handed in.
        Assert.Equal(0, await frozen.StopGracefullyAsync());
        _scene.Log("the thawed worker finished its stale attempts and stopped");

        var report = await _scene.ReportAsync(ids, t => held.Contains(t.Id));
        _scene.AssertClean(report);
        Assert.True(held.SetEquals(report.Rerun), $"Exactly the frozen worker's tasks should have run twice. {report}");
        var tasks = (await _scene.AllTasksAsync()).ToDictionary(t => t.Id);
        foreach (var id in held.Order())
        {
            var task = tasks[id];
            var result = JsonSerializer.Deserialize<CrashWorkResult>(task.ResultJson!, NexusJson.Options)!;
            Assert.True(task.State == TaskState.Succeeded && task.Attempt == 2 && result is { Node: "rescuer", Attempt: 2 },
                $"task {id} should have kept the rescuer's attempt 2, but is {task.State.ToName()} at attempt {task.Attempt} with {task.ResultJson}");
            var expired = Assert.Single(task.Errors);
            Assert.Equal(("LeaseExpired", 1), (expired.Type, expired.Attempt));
            Assert.True(frozen.Log.Any(l => l.Contains($"task {id} ", StringComparison.Ordinal) && l.Contains("rejected", StringComparison.Ordinal)),
                $"The thawed worker should have logged that its completion of task {id} was rejected.{Environment.NewLine}{frozen.LogTail()}");
        }
    }

    [Fact]
    public async Task ThawedWorker_ThatClaimsBackItsOwnRescuedTasks_KeepsTheNewAttemptsLeases_WhenTheStaleAttemptsEnd()
    {
        // Attempt 1 waits for the gate, ignoring cancellation; attempt 2 works for twice the lease, heartbeating.
        var gate = Path.Combine(_scene.Folder, "gate");
        var lease = TimeSpan.FromSeconds(3);
        var thawed = await _scene.StartWorkerAsync("thawed", s => s with { Gate = gate, GateAttempt = 1, Lease = lease });
        var ids = await _scene.SubmitAsync(2, ms: (int)(lease * 2).TotalMilliseconds);
        await Eventually.UntilAsync(
            () => Starts("thawed").Count == ids.Count, Eventually.Long,
            () => $"the worker to start {ids.Count} attempts (started {Starts("thawed").Count}).{Environment.NewLine}{_scene.WorkerLogs()}");

        thawed.Freeze();
        // This worker rescues expired leases but claims only from a queue nobody uses: the rescued tasks wait for the
        // thawed worker to claim them back while its own stale attempts of the same tasks are still running.
        await _scene.StartWorkerAsync("maintenance", s => s with { Queues = ["unused"], Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        await Eventually.UntilAsync(
            async () => (await _scene.AllTasksAsync()).Count(t => t.State == TaskState.Retrying) == ids.Count, Eventually.Long,
            async () => $"the frozen worker's tasks to be rescued: {string.Join(", ", (await _scene.AllTasksAsync()).Select(t => $"{t.Id}:{t.State.ToName()}"))}");
        _scene.Log("the frozen worker's leases expired and its tasks were rescued");

        thawed.Thaw();
        await Eventually.UntilAsync(
            () => Starts("thawed").Count(s => s.Attempt == 2) == ids.Count, Eventually.Long,
            () => $"the thawed worker to claim its rescued tasks back as attempt 2.{Environment.NewLine}{_scene.WorkerLogs()}");
        await File.WriteAllTextAsync(gate, "open");
        _scene.Log("the thawed worker runs attempt 2 of its tasks; the gate of the stale attempts 1 is open");

        await _scene.WaitAllSucceededAsync(ids, Eventually.Long);
        var report = await _scene.ReportAsync(ids, _ => true);
        _scene.AssertClean(report);
        foreach (var task in (await _scene.AllTasksAsync()).OrderBy(t => t.Id))
        {
            // The stale attempt's end must not take the new attempt's lease with it: no third attempt.
            Assert.True(task.Attempt == 2, $"task {task.Id} needed attempt {task.Attempt}; errors: {string.Join("; ", task.Errors.Select(e => $"#{e.Attempt} {e.Type}: {e.Message}"))}. {report}{Environment.NewLine}{_scene.WorkerLogs()}");
            var expired = Assert.Single(task.Errors);
            Assert.Equal(("LeaseExpired", 1), (expired.Type, expired.Attempt));
        }
    }

    private List<HistoryRecord> Starts(string node) => [.. _scene.History().Where(h => h.Node == node && h.Kind == HistoryKind.Start)];
}
