using Nexus.CrashTests.Infrastructure;
using Nexus.CrashTests.Worker;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>Several worker processes on one SQLite file: SQLite's write lock (BEGIN IMMEDIATE) is all that stands
/// between them and a double claim.</summary>
public sealed class SqliteMultiProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    // No notifications on SQLite: workers find work by polling.
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private CrashScene _scene = null!;

    public async Task InitializeAsync() => _scene = await CrashScene.SqliteAsync(output);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task SeveralWorkerProcesses_OnOneFile_RunEveryTaskExactlyOnce()
    {
        // Long leases: this test is about claims, and a heartbeat starved on a loaded machine must not cause a re-run.
        foreach (var node in new[] { "w-1", "w-2", "w-3" })
        {
            await _scene.StartWorkerAsync(node, s => s with { Poll = Poll, ClaimBatch = 4, Lease = TimeSpan.FromSeconds(30), Heartbeat = TimeSpan.FromSeconds(2) });
        }
        var ids = await _scene.SubmitAsync(300, ms: 20);

        await _scene.WaitAllSucceededAsync(ids, Eventually.Long);

        var report = await _scene.ReportAsync(ids, _ => false);
        _scene.AssertClean(report);
        var perNode = _scene.History().Where(h => h.Kind == HistoryKind.Start).GroupBy(h => h.Node).ToDictionary(g => g.Key, g => g.Count());
        _scene.Log("attempts per worker: " + string.Join(", ", perNode.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(perNode.Count >= 2, "Only one worker claimed anything, so the processes never competed for a task.");
    }

    [Fact]
    public async Task KilledWorker_OnOneFile_LosesNothing_OnlyTheTasksItHeldRunAgain_AndTheFileIsIntact()
    {
        await KillScenario.RunAsync(_scene, taskCount: 200, taskMs: 100, survivorCount: 2, common: s => s with { Poll = Poll });

        // A process killed in the middle of its writes must leave a file SQLite itself finds sound.
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_scene.Folder, "nexus.db")};Pooling=False");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await check.ExecuteScalarAsync());
    }
}
