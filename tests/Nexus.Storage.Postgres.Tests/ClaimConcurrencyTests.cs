using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>Limits that must hold across nodes: queue concurrency under racing claimers, backlog under racing submits.</summary>
public sealed class ClaimConcurrencyTests : IAsyncLifetime
{
    private PostgresStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = (await PostgresTestServer.GetAsync()).CreateStore();
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Claim_ByTwoConcurrentClaimers_NeverExceedsTheQueueConcurrencyLimit()
    {
        await _store.Queues.ConfigureAsync("limited", maxConcurrency: 3, maxBacklog: null);
        await _store.Tasks.InsertAsync(new InsertTasksParams(TestTasks.Many(60, "limited")));

        for (var round = 0; round < 15; round++)
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var claimers = new[] { "node-a", "node-b" }.Select(node => Task.Run(async () =>
            {
                await go.Task;
                return await _store.Tasks.ClaimAsync(new ClaimParams(node, 10, TimeSpan.FromMinutes(1)));
            })).ToList();
            go.SetResult();
            var claimed = (await Task.WhenAll(claimers)).SelectMany(c => c).ToList();

            Assert.Equal(3, claimed.Count);
            Assert.Equal(3, claimed.Select(t => t.Id).Distinct().Count());
            Assert.Equal(3, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema, "state = 'running'"));

            var accepted = await _store.Tasks.CompleteAsync(new CompleteParams(
                claimed.Select(t => new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded)).ToList()));
            Assert.All(accepted, Assert.True);
        }
    }

    [Fact]
    public async Task Insert_FromConcurrentCallers_NeverPassesTheBacklogLimit()
    {
        await _store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 20);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            try
            {
                await _store.Tasks.InsertAsync(new InsertTasksParams(TestTasks.Many(5, "bounded")));
                return true;
            }
            catch (QueueFullException)
            {
                return false;
            }
        })).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(4, outcomes.Count(ok => ok));
        Assert.Equal(20, await TestTasks.CountRowsAsync(_store.DataSource, _store.Schema, "queue = 'bounded'"));
    }
}
