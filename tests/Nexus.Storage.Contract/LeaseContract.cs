using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Leases: heartbeats extend them; expiry returns the task to the queue (or to dead after its last attempt).</summary>
public abstract class LeaseContract : StoreContract
{
    [Fact]
    public async Task Heartbeat_ExtendsTheLease_SoTheTaskIsNotRescued()
    {
        await InsertAsync(Task());
        var t = await ClaimOneAsync(lease: TimeSpan.FromSeconds(10));

        var statuses = await Store.Tasks.HeartbeatAsync(new HeartbeatParams([new LeaseRef(t.Id, t.LeaseToken!.Value)], TimeSpan.FromSeconds(10)) { Now = T0.AddSeconds(8) });

        Assert.Equal([new LeaseStatus(t.Id, true, false)], statuses);
        Assert.Equal(T0.AddSeconds(18), (await GetAsync(t.Id)).LeaseExpiresAt);
        Assert.Equal(new RescueResult(0, 0), await Store.Tasks.RescueAsync(new RescueParams(10) { Now = T0.AddSeconds(15) }));
        Assert.Equal(TaskState.Running, (await GetAsync(t.Id)).State);
    }

    [Fact]
    public async Task Heartbeat_ReportsLostLeasesAndCancelRequests_InOrder()
    {
        await InsertAsync(Task());
        await InsertAsync(Task());
        var claimed = await ClaimAsync(max: 2);
        Assert.Equal(CancelOutcome.Requested, await Store.Tasks.CancelAsync(new TaskActionParams(claimed[1].Id) { Now = T0 }));

        var statuses = await Store.Tasks.HeartbeatAsync(new HeartbeatParams(
            [new LeaseRef(claimed[0].Id, Guid.NewGuid()), new LeaseRef(claimed[1].Id, claimed[1].LeaseToken!.Value), new LeaseRef(999_999, Guid.NewGuid())],
            TimeSpan.FromSeconds(30)) { Now = T0.AddSeconds(1) });

        Assert.Equal([new LeaseStatus(claimed[0].Id, false, false), new LeaseStatus(claimed[1].Id, true, true), new LeaseStatus(999_999, false, false)], statuses);
    }

    [Fact]
    public async Task Rescue_ReturnsExpiredTasksToTheQueue_WithTheReason()
    {
        await InsertAsync(Task(maxAttempts: 3));
        var t = await ClaimOneAsync(lease: TimeSpan.FromSeconds(10));

        Assert.Equal(new RescueResult(0, 0), await Store.Tasks.RescueAsync(new RescueParams(10) { Now = T0.AddSeconds(10) }));
        Assert.Equal(new RescueResult(1, 0), await Store.Tasks.RescueAsync(new RescueParams(10) { Now = T0.AddSeconds(11) }));

        var rescued = await GetAsync(t.Id);
        Assert.Equal(TaskState.Retrying, rescued.State);
        Assert.Null(rescued.LeaseToken);
        var error = Assert.Single(rescued.Errors);
        Assert.Equal("LeaseExpired", error.Type);
        Assert.Contains("node-a", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await ClaimOneAsync(now: T0.AddSeconds(11))).Attempt);
    }

    [Fact]
    public async Task Rescue_OfTheLastAttempt_MakesTheTaskDead()
    {
        await InsertAsync(Task(maxAttempts: 1));
        var t = await ClaimOneAsync(lease: TimeSpan.FromSeconds(5));

        Assert.Equal(new RescueResult(0, 1) { DeadIds = [t.Id] }, await Store.Tasks.RescueAsync(new RescueParams(10) { Now = T0.AddSeconds(6) }));

        var dead = await GetAsync(t.Id);
        Assert.Equal(TaskState.Dead, dead.State);
        Assert.Equal(T0.AddSeconds(6), dead.FinishedAt);
    }

    [Fact]
    public async Task Rescue_WorksInBoundedBatches()
    {
        for (var i = 0; i < 5; i++) await InsertAsync(Task());
        await ClaimAsync(max: 5, lease: TimeSpan.FromSeconds(1));

        var first = await Store.Tasks.RescueAsync(new RescueParams(3) { Now = T0.AddSeconds(2) });
        var second = await Store.Tasks.RescueAsync(new RescueParams(3) { Now = T0.AddSeconds(2) });

        Assert.Equal(3, first.Requeued);
        Assert.Equal(2, second.Requeued);
    }

    [Fact]
    public async Task Leader_IsHeldByOneNodeAtATime_AndPassesOnAfterExpiry()
    {
        var ttl = TimeSpan.FromSeconds(15);
        Assert.True(await Store.Leader.TryAcquireAsync(new LeaderParams("maintenance", "a", ttl) { Now = T0 }));
        Assert.False(await Store.Leader.TryAcquireAsync(new LeaderParams("maintenance", "b", ttl) { Now = T0.AddSeconds(5) }));
        Assert.True(await Store.Leader.TryAcquireAsync(new LeaderParams("maintenance", "a", ttl) { Now = T0.AddSeconds(10) }), "the holder renews");
        Assert.False(await Store.Leader.TryAcquireAsync(new LeaderParams("maintenance", "b", ttl) { Now = T0.AddSeconds(24) }));
        Assert.True(await Store.Leader.TryAcquireAsync(new LeaderParams("maintenance", "b", ttl) { Now = T0.AddSeconds(26) }), "expired leadership passes on");
        Assert.True(await Store.Leader.TryAcquireAsync(new LeaderParams("other-loop", "a", ttl) { Now = T0.AddSeconds(26) }), "names are independent");

        await Store.Leader.ResignAsync(new LeaderParams("maintenance", "b", ttl) { Now = T0.AddSeconds(27) });
        Assert.True(await Store.Leader.TryAcquireAsync(new LeaderParams("maintenance", "a", ttl) { Now = T0.AddSeconds(27) }), "resigning frees it at once");
    }
}
