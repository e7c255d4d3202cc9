using System.Diagnostics;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>A full pass of the hot path at a realistic batch size. Checks correctness; prints informal timings
/// (see the test output) rather than asserting them, since shared machines vary.</summary>
public sealed class ThroughputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PostgresStore _store = null!;

    public async Task InitializeAsync()
    {
        // As an application gets it: its own data source with PostgresStore.Create's defaults.
        var server = await PostgresTestServer.GetAsync();
        var schema = server.NewSchema();
        _store = PostgresStore.Create(server.ConnectionString, o => o.Schema = schema);
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task TenThousandTasks_InsertedInOneCall_AreClaimedAndCompletedInBatchesOf100_ExactlyOnce()
    {
        const int count = 10_000;
        var tasks = Enumerable.Range(0, count)
            .Select(i => TestTasks.New(i % 2 == 0 ? "even" : "odd", args: $$"""{"n":{{i}},"payload":"0123456789abcdef"}""", priority: i % 3))
            .ToList();

        var clock = Stopwatch.StartNew();
        var inserted = await _store.Tasks.InsertAsync(new InsertTasksParams(tasks));
        var insertTime = clock.Elapsed;

        var seen = new HashSet<long>();
        var claimTime = TimeSpan.Zero;
        var completeTime = TimeSpan.Zero;
        var claims = 0;
        while (true)
        {
            clock.Restart();
            var batch = await _store.Tasks.ClaimAsync(new ClaimParams("bench", 100, TimeSpan.FromMinutes(1)));
            claimTime += clock.Elapsed;
            if (batch.Count == 0) break;
            claims++;
            Assert.All(batch, t => Assert.True(seen.Add(t.Id), $"task {t.Id} claimed twice"));

            clock.Restart();
            var accepted = await _store.Tasks.CompleteAsync(new CompleteParams(
                batch.Select(t => new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = """{"ok":true}""" }).ToList()));
            completeTime += clock.Elapsed;
            Assert.All(accepted, Assert.True);
        }

        Assert.Equal(count, inserted.Count);
        Assert.Equal(inserted.Select(r => r.Id).ToHashSet(), seen);
        Assert.Equal(count, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema, "state = 'succeeded'"));
        output.WriteLine($"insert {count} in one call: {insertTime.TotalMilliseconds:F0} ms ({count / insertTime.TotalSeconds:F0} tasks/s)");
        output.WriteLine($"claim 100 x {claims}: {claimTime.TotalMilliseconds / claims:F1} ms per claim");
        output.WriteLine($"complete 100 x {claims}: {completeTime.TotalMilliseconds / claims:F1} ms per batch");
    }
}
