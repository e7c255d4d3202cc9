using System.Globalization;
using Nexus.CrashTests.Infrastructure;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>This class's own PostgreSQL, which its tests stop and start; no other class uses it.</summary>
public sealed class RestartablePostgres : IAsyncLifetime
{
    internal DedicatedPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await DedicatedPostgres.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>PostgreSQL restarted under load: workers must reconnect, LISTEN again, and finish everything.</summary>
public sealed class PostgresRestartTests(RestartablePostgres postgres, ITestOutputHelper output) : IClassFixture<RestartablePostgres>, IAsyncLifetime
{
    // Far longer than the waits below: after the restart, work must be found through wake-ups (NOTIFY on a new
    // LISTEN, or the listener's resync), never by a poll.
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WithinPoll = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan ProducerStep = TimeSpan.FromMilliseconds(100);
    private const int Batches = 30;
    private const int BatchSize = 10;
    private DedicatedPostgres Server => postgres.Server;
    private CrashScene _scene = null!;

    public async Task InitializeAsync() =>
        _scene = await CrashScene.PostgresAsync(Server.ConnectionString, Server.ConnectionStringFor, output);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    /// <param name="mode">How PostgreSQL stops: <c>fast</c> (sessions terminated, clean checkpoint) or <c>immediate</c>
    /// (everything dies at once, crash recovery at the next start).</param>
    /// <param name="outlastLeases">Keep PostgreSQL down longer than the workers' leases, so that the attempts in flight
    /// at the stop have expired leases when it returns: the rescuer and the completers' retries then race, and the fence
    /// must let exactly one of them win for each task.</param>
    [Theory]
    [InlineData("fast", false)]
    [InlineData("immediate", true)]
    public async Task PostgresRestartedUnderLoad_WorkersReconnectAndListenAgain_AndNothingIsLostOrLeftRunning(string mode, bool outlastLeases)
    {
        string[] nodes = ["r-1", "r-2"];
        foreach (var node in nodes) await _scene.StartWorkerAsync(node, s => s with { Poll = Poll });
        var lease = _scene.WorkerSettings(nodes[0]).Lease;

        // The producer keeps submitting through the restart. Every task has a unique key, so a batch whose outcome was
        // lost with the connection is simply submitted again: the ids that come back are exactly the stored tasks.
        var submitted = new List<long>();
        var failures = 0;
        using var stopProducer = new CancellationTokenSource(Eventually.Long);
        var producer = Task.Run(async () =>
        {
            using var pace = new PeriodicTimer(ProducerStep);
            for (var batch = 0; batch < Batches; batch++)
            {
                while (true)
                {
                    try
                    {
                        var ids = await _scene.SubmitAsync(BatchSize, ms: 30, keyPrefix: string.Create(CultureInfo.InvariantCulture, $"load-{batch}-"));
                        lock (submitted) submitted.AddRange(ids);
                        break;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException && !stopProducer.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failures);
                    }
                    await pace.WaitForNextTickAsync(stopProducer.Token);
                }
                await pace.WaitForNextTickAsync(stopProducer.Token);
            }
        });

        await Eventually.UntilAsync(
            () => _scene.History().Count(h => h.Kind == Worker.HistoryKind.Finish) >= 60, Eventually.Long,
            () => $"60 finished attempts before the restart (have {_scene.History().Count(h => h.Kind == Worker.HistoryKind.Finish)}).{Environment.NewLine}{_scene.WorkerLogs()}");
        _scene.Log($"under load ({_scene.History().Count(h => h.Kind == Worker.HistoryKind.Finish)} finished); stopping PostgreSQL ({mode})");
        await Server.StopAsync(mode);
        _scene.Log("PostgreSQL stopped");
        if (outlastLeases)
        {
            // The length of the injected outage, not a wait for work.
            await Task.Delay(lease * 1.5);
        }
        await Server.StartAgainAsync();
        _scene.Log("PostgreSQL started again and accepts connections");

        await Eventually.WithinAsync(producer, Eventually.Long, () => "the producer to submit every batch");
        _scene.Log($"the producer submitted {submitted.Count} tasks ({failures} submit calls failed during the restart and were retried)");
        await _scene.WaitAllSucceededAsync(submitted, WithinPoll);
        _scene.Log($"every task submitted under load succeeded; {_scene.History().Count(h => h.Kind == Worker.HistoryKind.Start && h.Attempt > 1)} attempts were re-runs after an expired lease");

        foreach (var node in nodes)
        {
            var app = "crash-" + node;
            await Eventually.UntilAsync(
                async () => (await Backends.ListenersAsync(Server.ConnectionString, app)).Count == 1, Eventually.Long,
                () => Task.FromResult($"{app} to LISTEN again after the restart.{Environment.NewLine}{_scene.WorkerLogs()}"));
        }
        var after = await _scene.SubmitAsync(20, ms: 10);
        await _scene.WaitAllSucceededAsync(after, WithinPoll);
        _scene.Log("both workers LISTEN again, and tasks submitted now are woken by NOTIFY");

        var report = await _scene.ReportAsync([.. submitted, .. after], _ => true);
        _scene.AssertClean(report);
        Assert.Equal(0, await _scene.CountAsync(TaskState.Running));
        Assert.Equal(Batches * BatchSize + after.Count, (await _scene.AllTasksAsync()).Count);
    }
}
