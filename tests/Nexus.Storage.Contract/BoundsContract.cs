using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>
/// Instants and durations beyond <see cref="TaskBounds"/>: whatever a caller hands the store, and whatever an older
/// Nexus (or a hand edit) left in a row, every read, list, cancel and delete keeps working, and values read back clamped.
/// </summary>
public abstract class BoundsContract : StoreContract
{
    /// <summary>Writes values no .NET type can hold into the task's row, behind the store's back: a run time, lease
    /// expiry and finish time tens of thousands of years away, a timeout of <see cref="long.MaxValue"/> ms and a retry
    /// policy of 1e300 ms.</summary>
    protected abstract Task WriteOutOfRangeValuesAsync(long id);

    /// <summary>Writes JSON of the wrong shape into the task's tags, errors, progress and retry columns (an object
    /// where an array belongs, and the other way round), behind the store's back.</summary>
    protected abstract Task WriteMisshapenJsonAsync(long id);

    private static readonly RetryPolicy Huge = new() { InitialDelay = TimeSpan.FromMilliseconds(3e14), MaxDelay = TimeSpan.FromMilliseconds(3e14) };

    [Fact]
    public async Task ValuesBeyondTheBounds_AreStoredClamped_AndEveryReadAndActionWorks()
    {
        var delayed = await InsertAsync(Task() with { Delay = TimeSpan.FromDays(9000 * 365.0), Timeout = TimeSpan.FromMilliseconds(4_294_967_296), Retry = Huge });
        var failing = await InsertAsync(Task(priority: 1) with { Retry = Huge });
        var claimed = await ClaimOneAsync();
        Assert.Equal(failing, claimed.Id);
        Assert.True(await CompleteAsync(new TaskCompletion(failing, claimed.LeaseToken!.Value, CompletionKind.Retry) { Error = Error(1), Delay = TimeSpan.MaxValue }));

        var scheduled = Assert.Single((await Store.Tasks.ListAsync(new TaskQuery { State = TaskState.Scheduled })).Items);
        Assert.Equal(delayed, scheduled.Id);
        Assert.InRange(scheduled.RunAt, T0, T0 + TaskBounds.MaxDelay);
        Assert.Equal(TaskBounds.MaxTimeout, scheduled.Timeout);
        Assert.Equal(TaskBounds.MaxRetryDelay, scheduled.Retry!.MaxDelay);
        var retrying = await GetAsync(failing);
        Assert.Equal(TaskState.Retrying, retrying.State);
        Assert.InRange(retrying.RunAt, T0, T0 + TaskBounds.MaxDelay);
        Assert.Equal(2, (await Store.Tasks.ListAsync(new TaskQuery())).Items.Count);

        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(delayed) { Now = T0 }));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Tasks.DeleteAsync(new TaskActionParams(failing) { Now = T0 }));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Tasks.DeleteAsync(new TaskActionParams(delayed) { Now = T0 }));
        Assert.Empty((await Store.Tasks.ListAsync(new TaskQuery())).Items);
    }

    [Fact]
    public async Task ARowHoldingValuesOutOfRange_ReadsClamped_WithoutTakingTheListDown()
    {
        var before = await InsertAsync(Task());
        var broken = await InsertAsync(Task(runAt: T0.AddHours(1)));
        var after = await InsertAsync(Task());
        await WriteOutOfRangeValuesAsync(broken);

        var all = (await Store.Tasks.ListAsync(new TaskQuery())).Items;
        Assert.Equal([after, broken, before], all.Select(t => t.Id));
        var row = await GetAsync(broken);
        Assert.Equal(TaskBounds.MaxInstant, row.RunAt);
        Assert.Equal(TaskBounds.MaxInstant, row.FinishedAt);
        Assert.Equal(TaskBounds.MaxInstant, row.LeaseExpiresAt);
        Assert.Equal(TaskBounds.MaxTimeout, row.Timeout);
        Assert.Equal(TaskBounds.MaxRetryDelay, row.Retry!.InitialDelay);
        Assert.Equal(TaskBounds.MaxRetryDelay, row.Retry.MaxDelay);
        Assert.Equal(broken, Assert.Single((await Store.Tasks.ListAsync(new TaskQuery { State = TaskState.Scheduled })).Items).Id);

        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(broken) { Now = T0 }));
        Assert.Equal(RetryOutcome.Retried, await Store.Tasks.RetryAsync(new TaskActionParams(broken) { Now = T0 }));
        var claimed = await ClaimAsync(10);
        Assert.Contains(claimed, t => t.Id == broken);
        Assert.All(claimed, t => Assert.Equal(TaskState.Running, t.State));
        var token = claimed.Single(t => t.Id == broken).LeaseToken!.Value;
        Assert.True(await CompleteAsync(new TaskCompletion(broken, token, CompletionKind.Succeeded) { ResultJson = "{}" }));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Tasks.DeleteAsync(new TaskActionParams(broken) { Now = T0 }));
    }

    [Fact]
    public async Task ARowHoldingMisshapenJson_ReadsAsEmpty_WithoutTakingTheListDown()
    {
        var before = await InsertAsync(Task());
        var broken = await InsertAsync(Task(tags: ["a"]));
        await WriteMisshapenJsonAsync(broken);

        Assert.Equal([broken, before], (await Store.Tasks.ListAsync(new TaskQuery())).Items.Select(t => t.Id));
        var row = await GetAsync(broken);
        Assert.Empty(row.Tags);
        Assert.Empty(row.Errors);
        Assert.Null(row.Progress);
        Assert.Null(row.Retry);
        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(broken) { Now = T0 }));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Tasks.DeleteAsync(new TaskActionParams(broken) { Now = T0 }));
    }
}
