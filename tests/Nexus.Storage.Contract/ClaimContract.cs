using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Claiming: leases, order, pause, filters, concurrency limits and no double claims.</summary>
public abstract class ClaimContract : StoreContract
{
    [Fact]
    public async Task Claim_SetsRunningWithFreshLeaseAndCountsTheAttempt()
    {
        var id = await InsertAsync(Task());

        var claimed = await ClaimOneAsync(now: T0.AddSeconds(1), lease: TimeSpan.FromSeconds(20));

        Assert.Equal(id, claimed.Id);
        Assert.Equal(TaskState.Running, claimed.State);
        Assert.Equal(1, claimed.Attempt);
        Assert.NotNull(claimed.LeaseToken);
        Assert.Equal(T0.AddSeconds(21), claimed.LeaseExpiresAt);
        Assert.Equal(T0.AddSeconds(1), claimed.AttemptedAt);
        Assert.Equal("node-a", claimed.LeasedBy);
        Assert.Empty(await ClaimAsync(now: T0.AddSeconds(2)));
    }

    [Fact]
    public async Task Claim_TakesHigherPriorityFirst_ThenEarlierRunAt_ThenLowerId()
    {
        var low = await InsertAsync(Task(priority: 0));
        var lateHigh = await InsertAsync(Task(priority: 10, runAt: T0.AddSeconds(-1)));
        var earlyHigh = await InsertAsync(Task(priority: 10, runAt: T0.AddSeconds(-5)));
        var low2 = await InsertAsync(Task(priority: 0));

        var order = new List<long>();
        for (var i = 0; i < 4; i++) order.Add((await ClaimOneAsync()).Id);

        Assert.Equal([earlyHigh, lateHigh, low, low2], order);
    }

    [Fact]
    public async Task Claim_ReturnsAtMostMax_InClaimOrder()
    {
        for (var i = 0; i < 10; i++) await InsertAsync(Task(priority: i));

        var claimed = await ClaimAsync(max: 4);

        Assert.Equal(4, claimed.Count);
        Assert.Equal([9, 8, 7, 6], claimed.Select(t => t.Priority));
    }

    [Fact]
    public async Task Claim_SkipsPausedQueues_UntilResumed()
    {
        var paused = await InsertAsync(Task(queue: "slow"));
        var other = await InsertAsync(Task(queue: "fast"));
        await Store.Queues.SetPausedAsync("slow", true);

        var claimed = await ClaimAsync();
        Assert.Equal([other], claimed.Select(t => t.Id));
        Assert.True((await Store.Queues.GetAsync("slow")).Paused);

        await Store.Queues.SetPausedAsync("slow", false);
        Assert.Equal([paused], (await ClaimAsync()).Select(t => t.Id));
    }

    [Fact]
    public async Task Claim_OnlyFromTheGivenQueuesAndPlugins()
    {
        var a = await InsertAsync(Task(queue: "a", plugin: "p.one"));
        var b = await InsertAsync(Task(queue: "b", plugin: "p.one"));
        var c = await InsertAsync(Task(queue: "a", plugin: "p.two"));

        Assert.Equal([a], (await ClaimAsync(queues: ["a"], plugins: ["p.one"])).Select(t => t.Id));
        Assert.Equal([b], (await ClaimAsync(plugins: ["p.one"])).Select(t => t.Id));
        Assert.Equal([c], (await ClaimAsync(queues: ["a", "b"])).Select(t => t.Id));
    }

    [Fact]
    public async Task Claim_FromSeveralQueues_KeepsOnePriorityOrderAcrossThem()
    {
        var a1 = await InsertAsync(Task(queue: "a", priority: 1));
        var b5 = await InsertAsync(Task(queue: "b", priority: 5));
        var a3 = await InsertAsync(Task(queue: "a", priority: 3));
        await InsertAsync(Task(queue: "c", priority: 9));
        var b0 = await InsertAsync(Task(queue: "b", priority: 0));

        var first = await ClaimAsync(max: 2, queues: ["a", "b"]);
        var rest = await ClaimAsync(max: 10, queues: ["a", "b"]);

        Assert.Equal([b5, a3], first.Select(t => t.Id));
        Assert.Equal([a1, b0], rest.Select(t => t.Id));
    }

    [Fact]
    public async Task Claim_RespectsTheQueueConcurrencyLimit_AcrossClaims()
    {
        await Store.Queues.ConfigureAsync("limited", maxConcurrency: 2, maxBacklog: null);
        for (var i = 0; i < 5; i++) await InsertAsync(Task(queue: "limited"));
        var free = await InsertAsync(Task(queue: "free"));

        var first = await ClaimAsync(max: 10);
        Assert.Equal(3, first.Count);
        Assert.Equal(2, first.Count(t => t.Queue == "limited"));
        Assert.Contains(first, t => t.Id == free);
        Assert.Empty(await ClaimAsync(max: 10, node: "node-b"));

        var done = first.First(t => t.Queue == "limited");
        Assert.True(await CompleteAsync(new TaskCompletion(done.Id, done.LeaseToken!.Value, CompletionKind.Succeeded)));
        var next = await ClaimAsync(max: 10, node: "node-b");
        Assert.Equal("limited", Assert.Single(next).Queue);
    }

    [Fact]
    public async Task Claim_ByConcurrentClaimers_NeverHandsOutATaskTwice()
    {
        var ids = (await Store.Tasks.InsertAsync(new InsertTasksParams(Enumerable.Range(0, 300).Select(_ => Task()).ToList()) { Now = T0 })).Select(r => r.Id).ToHashSet();

        var claimers = Enumerable.Range(0, 4).Select(n => System.Threading.Tasks.Task.Run(async () =>
        {
            var mine = new List<long>();
            while (true)
            {
                var batch = await ClaimAsync(max: 7, node: $"node-{n}");
                if (batch.Count == 0) return mine;
                mine.AddRange(batch.Select(t => t.Id));
            }
        }));
        var all = (await System.Threading.Tasks.Task.WhenAll(claimers)).SelectMany(x => x).ToList();

        Assert.Equal(300, all.Count);
        Assert.Equal(ids, all.ToHashSet());
    }
}
