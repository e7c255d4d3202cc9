using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Every transition of <see cref="TaskTransitions"/> on the driver under test, with every column of the row
/// pinned before and after against the one table in Core: a driver that sets or clears a column the table does not
/// say (or misses one it does) fails here.</summary>
public abstract class TransitionContract : StoreContract
{
    private static object? Column(TaskRecord t, TaskColumn column) => column switch
    {
        TaskColumn.State => t.State,
        TaskColumn.RunAt => t.RunAt,
        TaskColumn.Attempt => t.Attempt,
        TaskColumn.AttemptedAt => t.AttemptedAt,
        TaskColumn.FinishedAt => t.FinishedAt,
        TaskColumn.LeaseToken => t.LeaseToken,
        TaskColumn.LeaseExpiresAt => t.LeaseExpiresAt,
        TaskColumn.LeasedBy => t.LeasedBy,
        TaskColumn.Result => t.ResultJson,
        TaskColumn.Errors => t.Errors.Count,
        TaskColumn.Progress => t.Progress,
        TaskColumn.CancelRequested => t.CancelRequested,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, null),
    };

    private static void AssertFollows(TaskTransition transition, TaskRecord before, TaskRecord after)
    {
        Assert.Contains(before.State, transition.From);
        Assert.Equal(transition.To, after.State);
        foreach (var column in Enum.GetValues<TaskColumn>())
        {
            var (was, now) = (Column(before, column), Column(after, column));
            var what = $"{transition.Name}: {column} was {was ?? "null"}, is {now ?? "null"}";
            switch (transition.Of(column))
            {
                case ColumnChange.Kept:
                    Assert.True(Equals(was, now), what + " (should be kept)");
                    break;
                case ColumnChange.Set:
                    Assert.True(now is not null, what + " (should be set)");
                    break;
                case ColumnChange.Cleared:
                    Assert.True(now is null or false, what + " (should be cleared)");
                    break;
                case ColumnChange.Incremented:
                    Assert.True((int)now! == (int)was! + 1, what + " (should be one more)");
                    break;
                case ColumnChange.Refunded:
                    Assert.True((int)now! == Math.Max(0, (int)was! - 1), what + " (should be one less)");
                    break;
                case ColumnChange.Appended:
                    Assert.True((int)now! == (int)was! + 1, what + " (should have one more error)");
                    break;
            }
        }
    }

    /// <summary>A task claimed at T0 with progress reported, ready for a completion.</summary>
    private async Task<TaskRecord> RunningAsync(int maxAttempts = 3)
    {
        var id = await InsertAsync(Task(maxAttempts: maxAttempts));
        var queued = await GetAsync(id);
        var claimed = await ClaimOneAsync();
        AssertFollows(TaskTransitions.Claim, queued, await GetAsync(id));
        Assert.True(await Store.Tasks.SetProgressAsync(new ProgressParams(id, claimed.LeaseToken!.Value, new TaskProgress(0.5, "half"))));
        return await GetAsync(id);
    }

    [Theory]
    [InlineData(CompletionKind.Succeeded)]
    [InlineData(CompletionKind.Retry)]
    [InlineData(CompletionKind.Dead)]
    [InlineData(CompletionKind.Cancelled)]
    [InlineData(CompletionKind.Snoozed)]
    [InlineData(CompletionKind.Released)]
    public async Task EveryCompletion_ChangesExactlyTheColumnsTheTableSays(CompletionKind kind)
    {
        var before = await RunningAsync();
        var completion = new TaskCompletion(before.Id, before.LeaseToken!.Value, kind)
        {
            ResultJson = kind == CompletionKind.Succeeded ? "42" : null,
            Error = kind is CompletionKind.Retry or CompletionKind.Dead or CompletionKind.Cancelled ? Error(1) : null,
            Delay = TimeSpan.FromSeconds(5),
        };

        Assert.True(await CompleteAsync(completion, T0.AddSeconds(1)));

        AssertFollows(TaskTransitions.Of(kind), before, await GetAsync(before.Id));
    }

    [Fact]
    public async Task AClaimAfterARetry_StartsANewAttemptWithoutTheOldProgress()
    {
        var first = await RunningAsync();
        await CompleteAsync(new TaskCompletion(first.Id, first.LeaseToken!.Value, CompletionKind.Retry) { Error = Error(1), Delay = TimeSpan.Zero });
        var retrying = await GetAsync(first.Id);

        await ClaimOneAsync(T0.AddSeconds(1));

        AssertFollows(TaskTransitions.Claim, retrying, await GetAsync(first.Id));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public async Task RescueOfAnExpiredLease_ChangesExactlyTheColumnsTheTableSays(int maxAttempts)
    {
        var before = await RunningAsync(maxAttempts);

        var rescued = await Store.Tasks.RescueAsync(new RescueParams(10) { Now = T0.AddMinutes(5) });

        Assert.Equal(maxAttempts == 1 ? new RescueResult(0, 1) { DeadIds = [before.Id] } : new RescueResult(1, 0), rescued);
        AssertFollows(maxAttempts == 1 ? TaskTransitions.RescueDead : TaskTransitions.RescueRetry, before, await GetAsync(before.Id));
    }

    [Fact]
    public async Task CancelOfAQueuedTask_AndManualRetry_ChangeExactlyTheColumnsTheTableSays()
    {
        var id = await InsertAsync(Task());
        var queued = await GetAsync(id);

        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(id) { Now = T0.AddSeconds(1) }));
        var cancelled = await GetAsync(id);
        AssertFollows(TaskTransitions.Cancel, queued, cancelled);

        Assert.Equal(RetryOutcome.Retried, await Store.Tasks.RetryAsync(new TaskActionParams(id) { Now = T0.AddSeconds(2) }));
        AssertFollows(TaskTransitions.ManualRetry, cancelled, await GetAsync(id));
    }
}
