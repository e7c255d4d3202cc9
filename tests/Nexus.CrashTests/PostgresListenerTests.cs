using Nexus.CrashTests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>The server ends the listener's session (pg_terminate_backend on the backend doing LISTEN).</summary>
public sealed class PostgresListenerTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Far longer than any wait below: every task in this test must be picked up by a wake-up, never by a poll.
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Pickup = TimeSpan.FromSeconds(30);
    private PostgresTestServer _server = null!;
    private CrashScene _scene = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.GetAsync();
        _scene = await CrashScene.PostgresAsync(_server.ConnectionString, _server.ConnectionStringFor, output);
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task ListenerKilledByTheServer_TasksSubmittedAfterwardsStillRunWithinThePollInterval_AndTheListenerComesBack()
    {
        var app = "crash-listener";
        // A long lease: a heartbeat starved on a loaded machine must not cause a re-run here.
        await _scene.StartWorkerAsync("listener", s => s with { Poll = Poll, Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        var ids = await _scene.SubmitAsync(5, ms: 10);
        await _scene.WaitAllSucceededAsync(ids, Pickup);
        var before = Assert.Single(await Backends.ListenersAsync(_server.ConnectionString, app));

        Assert.True(await Backends.TerminateAsync(_server.ConnectionString, before), $"pg_terminate_backend({before}) refused.");
        var submittedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var afterKill = await _scene.SubmitAsync(20, ms: 10);
        _scene.Log($"terminated the listener's backend {before}; submitted 20 tasks");
        // Well within the poll interval: the listener reconnects and asks the engine to look for work it may have missed.
        await _scene.WaitAllSucceededAsync(afterKill, Pickup);
        var starts = _scene.History().Where(h => h.Kind == Worker.HistoryKind.Start && afterKill.Contains(h.TaskId)).Select(h => h.UnixMs).ToList();
        _scene.Log($"the tasks submitted after the kill ran; first start {starts.Min() - submittedAt} ms after the submit, last {starts.Max() - submittedAt} ms");

        var listeners = new List<int>();
        await Eventually.UntilAsync(
            async () => (listeners = await Backends.ListenersAsync(_server.ConnectionString, app)).Count == 1 && listeners[0] != before,
            Eventually.Long,
            () => Task.FromResult($"a new LISTEN backend for {app} (now: [{string.Join(", ", listeners)}], killed: {before}).{Environment.NewLine}{_scene.WorkerLogs()}"));
        _scene.Log($"the listener is back on backend {listeners[0]}");

        var afterReturn = await _scene.SubmitAsync(20, ms: 10);
        await _scene.WaitAllSucceededAsync(afterReturn, Pickup);
        _scene.AssertClean(await _scene.ReportAsync([.. ids, .. afterKill, .. afterReturn], _ => false));
    }
}
