using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Tasks that wait: stored, never claimable until released (in batches), listed and counted under their own
/// state, cancellable, and — when owned — left alone by retention.</summary>
public abstract class WaitingContract : StoreContract
{
    private static NewTask Waiting(string? owner = null, string queue = "default") => Task(queue: queue) with { Waiting = true, Owner = owner };

    [Fact]
    public async Task AWaitingTask_IsNeverClaimed_UntilReleased_ThenRunsLikeAnyOther()
    {
        var id = await InsertAsync(Waiting(owner: "workflow:1/resize"));

        Assert.Empty(await ClaimAsync(now: T0.AddYears(1)));
        var waiting = await GetAsync(id);
        Assert.Equal((TaskState.Waiting, "workflow:1/resize"), (waiting.State, waiting.Owner));

        Assert.Equal(1, await Store.Tasks.ReleaseAsync(new ReleaseParams([id]) { Now = T0.AddSeconds(5) }));
        var released = await GetAsync(id);
        Assert.Equal((TaskState.Available, T0.AddSeconds(5)), (released.State, released.RunAt));
        Assert.Equal(id, (await ClaimOneAsync(T0.AddSeconds(5))).Id);
    }

    [Fact]
    public async Task Release_OfManyInOneCall_TouchesOnlyWaitingTasks()
    {
        var waiting = (await Store.Tasks.InsertAsync(new InsertTasksParams([.. Enumerable.Range(0, 100).Select(_ => Waiting())]) { Now = T0 })).Select(r => r.Id).ToList();
        var ready = await InsertAsync(Task());
        var running = (await ClaimOneAsync()).Id;
        Assert.Equal(ready, running);

        Assert.Equal(60, await Store.Tasks.ReleaseAsync(new ReleaseParams([.. waiting.Take(60), running, 999_999]) { Now = T0 }));
        Assert.Equal(0, await Store.Tasks.ReleaseAsync(new ReleaseParams([.. waiting.Take(60)]) { Now = T0 }));

        Assert.Equal(TaskState.Running, (await GetAsync(running)).State);
        var counts = Assert.Single(await Store.Tasks.CountAsync(), c => c.Queue == "default").Counts;
        Assert.Equal((60, 40), (counts.GetValueOrDefault(TaskState.Available), counts.GetValueOrDefault(TaskState.Waiting)));
        var listed = await Store.Tasks.ListAsync(new TaskQuery { State = TaskState.Waiting, Limit = 1000 });
        Assert.Equal(waiting.Skip(60).Order(), listed.Items.Select(t => t.Id).Order());
    }

    [Fact]
    public async Task AWaitingTask_CanBeCancelled_AndIsThenNotReleased()
    {
        var id = await InsertAsync(Waiting());

        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(id) { Now = T0 }));
        Assert.Equal(0, await Store.Tasks.ReleaseAsync(new ReleaseParams([id]) { Now = T0 }));
        Assert.Equal(TaskState.Cancelled, (await GetAsync(id)).State);
    }

    [Fact]
    public async Task Retention_DeletesUnownedFinishedTasks_AndLeavesOwnedOnesToTheirOwner()
    {
        var owned = await InsertAsync(Waiting(owner: "workflow:7/a"));
        var plain = await InsertAsync(Task());
        await Store.Tasks.CancelAsync(new TaskActionParams(owned) { Now = T0 });
        await Store.Tasks.CancelAsync(new TaskActionParams(plain) { Now = T0 });

        var deleted = await Store.Tasks.DeleteExpiredAsync(new ExpiredTasksParams(TaskState.Cancelled, T0.AddDays(1), 100));

        Assert.Equal(1, deleted);
        Assert.Null(await Store.Tasks.GetAsync(plain));
        Assert.NotNull(await Store.Tasks.GetAsync(owned));
    }

    private async Task<long> CancelledAtAsync(NewTask task, DateTimeOffset at)
    {
        var id = await InsertAsync(task, at);
        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(id) { Now = at }));
        return id;
    }

    [Fact]
    public async Task DeleteExpired_TakesOnlyItsStateAndAge_InEveryQueue_UpToMax_AndLeavesOwnedTasks()
    {
        var a = await CancelledAtAsync(Task(queue: "a"), T0);
        var b1 = await CancelledAtAsync(Task(queue: "b"), T0);
        var b2 = await CancelledAtAsync(Task(queue: "b"), T0.AddMinutes(1));
        var delivery = await CancelledAtAsync(Task(queue: "c") with { Owner = "event:shop:1" }, T0); // a key link owns nothing
        var young = await CancelledAtAsync(Task(queue: "a"), T0.AddHours(2));
        var owned = await CancelledAtAsync(Waiting(owner: "workflow:7/a", queue: "c"), T0);
        var live = await InsertAsync(Task(queue: "a"));
        var cutoff = T0.AddHours(1);

        Assert.Equal(0, await Store.Tasks.DeleteExpiredAsync(new ExpiredTasksParams(TaskState.Succeeded, cutoff, 100)));
        Assert.Equal(3, await Store.Tasks.DeleteExpiredAsync(new ExpiredTasksParams(TaskState.Cancelled, cutoff, 3)));
        Assert.Equal(1, await Store.Tasks.DeleteExpiredAsync(new ExpiredTasksParams(TaskState.Cancelled, cutoff, 3)));
        Assert.Equal(0, await Store.Tasks.DeleteExpiredAsync(new ExpiredTasksParams(TaskState.Cancelled, cutoff, 3)));

        foreach (var gone in new[] { a, b1, b2, delivery }) Assert.Null(await Store.Tasks.GetAsync(gone));
        foreach (var kept in new[] { young, owned, live }) Assert.NotNull(await Store.Tasks.GetAsync(kept));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpiredTasksParams(TaskState.Running, cutoff, 1).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpiredTasksParams(TaskState.Dead, cutoff, 0).Validate());
    }

    [Fact]
    public async Task ReleasingAWaitingTask_ChangesExactlyTheColumnsTheTableSays()
    {
        var id = await InsertAsync(Waiting());
        var before = await GetAsync(id);

        await Store.Tasks.ReleaseAsync(new ReleaseParams([id]) { Now = T0.AddSeconds(1) });

        var after = await GetAsync(id);
        Assert.Equal(TaskTransitions.Release.To, after.State);
        Assert.Equal(T0.AddSeconds(1), after.RunAt);
        Assert.Equal((before.Attempt, before.LeaseToken, before.FinishedAt, before.Owner), (after.Attempt, after.LeaseToken, after.FinishedAt, after.Owner));
    }
}
