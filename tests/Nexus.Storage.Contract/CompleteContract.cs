using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Completing: every outcome's transition, fencing by lease token, and batches.</summary>
public abstract class CompleteContract : StoreContract
{
    [Fact]
    public async Task Succeeded_StoresResultAndFinishes()
    {
        await InsertAsync(Task());
        var t = await ClaimOneAsync();

        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = """{"ok":true}""" }, T0.AddSeconds(3)));

        var done = await GetAsync(t.Id);
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.True(System.Text.Json.JsonDocument.Parse(done.ResultJson!).RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(T0.AddSeconds(3), done.FinishedAt);
        Assert.Null(done.LeaseToken);
        Assert.Equal(1, done.Attempt);
    }

    [Fact]
    public async Task Retry_WaitsForItsBackoff_KeepsTheError_AndCountsTheNextAttempt()
    {
        await InsertAsync(Task(maxAttempts: 3));
        var t = await ClaimOneAsync();

        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Retry) { Error = Error(1), Delay = TimeSpan.FromSeconds(8) }, T0.AddSeconds(2)));

        var retrying = await GetAsync(t.Id);
        Assert.Equal(TaskState.Retrying, retrying.State);
        Assert.Equal(T0.AddSeconds(10), retrying.RunAt);
        Assert.Null(retrying.FinishedAt);
        var error = Assert.Single(retrying.Errors);
        Assert.Equal((1, "boom", "InvalidOperationException", "at Test()"), (error.Attempt, error.Message, error.Type, error.StackTrace));

        Assert.Empty(await ClaimAsync(now: T0.AddSeconds(9)));
        var second = await ClaimOneAsync(now: T0.AddSeconds(10));
        Assert.Equal(2, second.Attempt);
        Assert.NotEqual(t.LeaseToken, second.LeaseToken);
    }

    [Fact]
    public async Task Dead_FinishesAndKeepsEveryAttemptsError()
    {
        await InsertAsync(Task(maxAttempts: 2));
        var first = await ClaimOneAsync();
        await CompleteAsync(new TaskCompletion(first.Id, first.LeaseToken!.Value, CompletionKind.Retry) { Error = Error(1, "first"), Delay = TimeSpan.Zero });
        var second = await ClaimOneAsync();

        Assert.True(await CompleteAsync(new TaskCompletion(second.Id, second.LeaseToken!.Value, CompletionKind.Dead) { Error = Error(2, "second") }));

        var dead = await GetAsync(first.Id);
        Assert.Equal(TaskState.Dead, dead.State);
        Assert.Equal(["first", "second"], dead.Errors.Select(e => e.Message));
        Assert.Equal([1, 2], dead.Errors.Select(e => e.Attempt));
        Assert.Equal(T0, dead.FinishedAt);
    }

    [Fact]
    public async Task Snoozed_RunsAgainLater_WithoutSpendingTheAttempt()
    {
        await InsertAsync(Task(maxAttempts: 1));
        var t = await ClaimOneAsync();

        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Snoozed) { Delay = TimeSpan.FromMinutes(1) }));

        var snoozed = await GetAsync(t.Id);
        Assert.Equal(TaskState.Scheduled, snoozed.State);
        Assert.Equal(0, snoozed.Attempt);
        Assert.Equal(T0.AddMinutes(1), snoozed.RunAt);
        Assert.Equal(1, (await ClaimOneAsync(now: T0.AddMinutes(1))).Attempt);
    }

    [Fact]
    public async Task Released_IsAvailableAtOnce_WithoutSpendingTheAttempt()
    {
        await InsertAsync(Task());
        var t = await ClaimOneAsync();

        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Released)));

        var released = await GetAsync(t.Id);
        Assert.Equal(TaskState.Available, released.State);
        Assert.Equal(0, released.Attempt);
        Assert.Null(released.LeaseToken);
    }

    [Fact]
    public async Task Cancelled_Finishes()
    {
        await InsertAsync(Task());
        var t = await ClaimOneAsync();

        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Cancelled)));

        Assert.Equal(TaskState.Cancelled, (await GetAsync(t.Id)).State);
    }

    [Fact]
    public async Task Completion_WithAStaleLeaseToken_IsRejected_AndTheNewAttemptWins()
    {
        await InsertAsync(Task());
        var stale = await ClaimOneAsync(lease: TimeSpan.FromSeconds(10));
        var rescued = await Store.Tasks.RescueAsync(new RescueParams(100) { Now = T0.AddSeconds(11) });
        Assert.Equal(1, rescued.Requeued);
        var fresh = await ClaimOneAsync(now: T0.AddSeconds(12));

        var late = await CompleteAsync(new TaskCompletion(stale.Id, stale.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = """{"by":"old"}""" }, T0.AddSeconds(13));
        var current = await CompleteAsync(new TaskCompletion(fresh.Id, fresh.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = """{"by":"new"}""" }, T0.AddSeconds(14));

        Assert.False(late);
        Assert.True(current);
        var done = await GetAsync(stale.Id);
        Assert.Contains("new", done.ResultJson, StringComparison.Ordinal);
        Assert.Equal(2, done.Attempt);
        Assert.False(await CompleteAsync(new TaskCompletion(fresh.Id, fresh.LeaseToken!.Value, CompletionKind.Dead)), "a finished task must not be completed twice");
    }

    [Fact]
    public async Task Batch_AppliesEachCompletion_AndReportsAcceptanceInOrder()
    {
        for (var i = 0; i < 3; i++) await InsertAsync(Task());
        var claimed = await ClaimAsync(max: 3);
        var completions = new[]
        {
            new TaskCompletion(claimed[0].Id, claimed[0].LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "1" },
            new TaskCompletion(claimed[1].Id, Guid.NewGuid(), CompletionKind.Succeeded) { ResultJson = "2" },
            new TaskCompletion(claimed[2].Id, claimed[2].LeaseToken!.Value, CompletionKind.Retry) { Error = Error(1), Delay = TimeSpan.FromSeconds(1) },
        };

        var accepted = await Store.Tasks.CompleteAsync(new CompleteParams(completions) { Now = T0 });

        Assert.Equal([true, false, true], accepted);
        Assert.Equal(TaskState.Succeeded, (await GetAsync(claimed[0].Id)).State);
        Assert.Equal(TaskState.Running, (await GetAsync(claimed[1].Id)).State);
        Assert.Equal(TaskState.Retrying, (await GetAsync(claimed[2].Id)).State);
    }

    [Fact]
    public async Task Progress_IsStoredForTheLeaseHolderOnly()
    {
        await InsertAsync(Task());
        var t = await ClaimOneAsync();

        Assert.True(await Store.Tasks.SetProgressAsync(new ProgressParams(t.Id, t.LeaseToken!.Value, new TaskProgress(0.25, "a quarter"))));
        Assert.False(await Store.Tasks.SetProgressAsync(new ProgressParams(t.Id, Guid.NewGuid(), new TaskProgress(0.9, "impostor"))));

        Assert.Equal(new TaskProgress(0.25, "a quarter"), (await GetAsync(t.Id)).Progress);
    }

    [Fact]
    public async Task ACompletion_StoresTheProgressItCarries_AndOneWithoutKeepsTheStoredProgress()
    {
        await InsertAsync(Task());
        await InsertAsync(Task());
        var claimed = await ClaimAsync(2);
        var (carrying, without) = (claimed[0], claimed[1]);
        Assert.True(await Store.Tasks.SetProgressAsync(new ProgressParams(without.Id, without.LeaseToken!.Value, new TaskProgress(0.4, "stored"))));

        await Store.Tasks.CompleteAsync(new CompleteParams([
            new TaskCompletion(carrying.Id, carrying.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "{}", Progress = new TaskProgress(1, "done") },
            new TaskCompletion(without.Id, without.LeaseToken!.Value, CompletionKind.Retry) { Error = new AttemptError(1, DateTimeOffset.UnixEpoch, "E", "m", null), Delay = TimeSpan.FromSeconds(1) },
        ]));

        Assert.Equal(new TaskProgress(1, "done"), (await GetAsync(carrying.Id)).Progress);
        Assert.Equal(new TaskProgress(0.4, "stored"), (await GetAsync(without.Id)).Progress);
    }

    [Fact]
    public async Task ABatchInAnyOrder_AnswersEachCompletionAtItsOwnPosition_AndSoDoesAHeartbeat()
    {
        for (var i = 0; i < 6; i++) await InsertAsync(Task());
        var claimed = (await ClaimAsync(6)).OrderByDescending(t => t.Id).ToList();
        var stale = claimed[2];
        var leases = claimed.Select(t => new LeaseRef(t.Id, t == stale ? Guid.NewGuid() : t.LeaseToken!.Value)).ToList();

        var beats = await Store.Tasks.HeartbeatAsync(new HeartbeatParams(leases, TimeSpan.FromMinutes(1)) { Now = T0 });
        var accepted = await Store.Tasks.CompleteAsync(new CompleteParams(
            [.. leases.Select(l => new TaskCompletion(l.Id, l.LeaseToken, CompletionKind.Succeeded) { ResultJson = "{}" })]) { Now = T0 });

        Assert.Equal(leases.Select(l => l.Id), beats.Select(b => b.Id));
        Assert.Equal(leases.Select(l => l.Id != stale.Id), beats.Select(b => b.Held));
        Assert.Equal(leases.Select(l => l.Id != stale.Id), accepted);
        Assert.Equal(TaskState.Running, (await GetAsync(stale.Id)).State);
    }

    [Fact]
    public async Task ABatchThatNamesATaskTwice_AppliesItsCompletionsInOrder()
    {
        for (var i = 0; i < 3; i++) await InsertAsync(Task());
        var claimed = (await ClaimAsync(3)).OrderBy(t => t.Id).ToList();
        var (a, b, c) = (claimed[0], claimed[1], claimed[2]);

        // a: a stale token first, then its own; b: its own twice; c: once, between them.
        var accepted = await Store.Tasks.CompleteAsync(new CompleteParams(
        [
            new TaskCompletion(a.Id, Guid.NewGuid(), CompletionKind.Dead),
            new TaskCompletion(b.Id, b.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "1" },
            new TaskCompletion(c.Id, c.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "2" },
            new TaskCompletion(a.Id, a.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "3" },
            new TaskCompletion(b.Id, b.LeaseToken!.Value, CompletionKind.Dead),
        ]) { Now = T0 });

        Assert.Equal([false, true, true, true, false], accepted);
        Assert.Equal((TaskState.Succeeded, "3"), ((await GetAsync(a.Id)).State, (await GetAsync(a.Id)).ResultJson));
        Assert.Equal((TaskState.Succeeded, "1"), ((await GetAsync(b.Id)).State, (await GetAsync(b.Id)).ResultJson));
        Assert.Equal((TaskState.Succeeded, "2"), ((await GetAsync(c.Id)).State, (await GetAsync(c.Id)).ResultJson));
    }
}
