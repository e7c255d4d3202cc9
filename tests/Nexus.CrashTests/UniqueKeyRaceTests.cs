using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Nexus.CrashTests.Infrastructure;
using Nexus.Storage.Postgres;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>Many transactions submit the same unique key at once, each on its own connection, and some roll back.</summary>
public sealed class UniqueKeyRaceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Submitters = 64;
    private CrashScene _scene = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _scene = await CrashScene.PostgresAsync(server.ConnectionString, server.ConnectionStringFor, output);
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task SixtyFourConcurrentSubmits_OfOneUniqueKey_WithRandomRollbacks_LeaveOneTaskExactlyWhenOneCommitted()
    {
        var store = _scene.Services.GetRequiredService<PostgresStore>();
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        // Shares of rollbacks per round: none, some, most, all but a few, all, and random ones.
        double[] rollbackShares = [0, 0.5, 0.9, 0.97, 1, 1, .. Enumerable.Range(0, 4).Select(_ => random.NextDouble())];
        for (var round = 0; round < rollbackShares.Length; round++)
        {
            var key = $"race-{round}";
            var commits = Enumerable.Range(0, Submitters).Select(_ => random.NextDouble() >= rollbackShares[round]).ToArray();
            var outcomes = await RaceAsync(store, key, commits);
            var rows = await RowsWithKeyAsync(store, key);
            var committed = outcomes.Where(o => o.Committed).ToList();
            var context = $"seed {seed}, round {round}: {committed.Count} of {Submitters} transactions committed, {Submitters - committed.Count} rolled back; " +
                $"rows with the key: [{string.Join(", ", rows)}]; committed results: [{Summarize(committed)}]; " +
                $"rolled-back results: [{Summarize(outcomes.Where(o => !o.Committed))}]";
            _scene.Log(context);

            Assert.True(rows.Count == (committed.Count > 0 ? 1 : 0), $"Expected {(committed.Count > 0 ? "exactly one task" : "no task")}; {context}");
            if (committed.Count == 0) continue;
            Assert.True(committed.All(o => o.Result.Id == rows[0]), $"Every committed submit must name the one task; {context}");
            Assert.True(committed.Count(o => o.Result.Created) == 1, $"Exactly one committed submit must have created it; {context}");
        }
    }

    private async Task<List<(SubmitResult Result, bool Committed)>> RaceAsync(PostgresStore store, string key, bool[] commits)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ready = 0;
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = commits.Select(commit => Task.Run(async () =>
        {
            await using var conn = await store.DataSource.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            if (Interlocked.Increment(ref ready) == commits.Length) allReady.SetResult();
            await go.Task;
            var result = Assert.Single(await _scene.Tasks.SubmitAsync(store, tx, [CrashScene.Request(10, key)]));
            if (commit) await tx.CommitAsync();
            else await tx.RollbackAsync();
            return (result, commit);
        })).ToList();
        await Eventually.WithinAsync(allReady.Task, TimeSpan.FromSeconds(60), () => $"{commits.Length} connections with open transactions (have {Volatile.Read(ref ready)})");
        go.SetResult();
        return [.. await Eventually.WithinAsync(Task.WhenAll(racers), TimeSpan.FromSeconds(60), () => $"{commits.Length} racing submits of key {key} to finish")];
    }

    private static string Summarize(IEnumerable<(SubmitResult Result, bool Committed)> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o.Result).OrderBy(g => g.Key.Id).Select(g => $"{g.Key.Id}{(g.Key.Created ? " created" : "")} ×{g.Count()}"));

    private async Task<List<long>> RowsWithKeyAsync(PostgresStore store, string key)
    {
        await using var cmd = store.DataSource.CreateCommand($"select id from \"{_scene.Schema}\".tasks where unique_key = $1 order by id");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }
}
