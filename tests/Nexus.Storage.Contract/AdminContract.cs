using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Operator actions and reads: cancel, manual retry, delete, list with filters and paging, counts, queues.</summary>
public abstract class AdminContract : StoreContract
{
    [Fact]
    public async Task Cancel_DependsOnTheState()
    {
        var waiting = await InsertAsync(Task());
        var running = await InsertAsync(Task(priority: 9));
        var r = await ClaimOneAsync();
        Assert.Equal(running, r.Id);

        Assert.Equal(CancelOutcome.Cancelled, await Store.Tasks.CancelAsync(new TaskActionParams(waiting) { Now = T0.AddSeconds(1) }));
        Assert.Equal(CancelOutcome.Requested, await Store.Tasks.CancelAsync(new TaskActionParams(running) { Now = T0 }));
        Assert.Equal(CancelOutcome.AlreadyFinished, await Store.Tasks.CancelAsync(new TaskActionParams(waiting) { Now = T0 }));
        Assert.Equal(CancelOutcome.NotFound, await Store.Tasks.CancelAsync(new TaskActionParams(424242) { Now = T0 }));

        var cancelled = await GetAsync(waiting);
        Assert.Equal(TaskState.Cancelled, cancelled.State);
        Assert.Equal(T0.AddSeconds(1), cancelled.FinishedAt);
        var asked = await GetAsync(running);
        Assert.Equal(TaskState.Running, asked.State);
        Assert.True(asked.CancelRequested);
        Assert.Empty(await ClaimAsync());
    }

    [Fact]
    public async Task ManualRetry_OfADeadTask_MakesItAvailableWithAnAttemptLeft()
    {
        var id = await InsertAsync(Task(maxAttempts: 1));
        var t = await ClaimOneAsync();
        await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Dead) { Error = Error(1) });

        Assert.Equal(RetryOutcome.Retried, await Store.Tasks.RetryAsync(new TaskActionParams(id) { Now = T0.AddMinutes(1) }));

        var again = await GetAsync(id);
        Assert.Equal(TaskState.Available, again.State);
        Assert.Equal(2, again.MaxAttempts);
        Assert.Null(again.FinishedAt);
        Assert.Single(again.Errors);
        var claimed = await ClaimOneAsync(now: T0.AddMinutes(1));
        Assert.Equal(2, claimed.Attempt);
        Assert.Equal(RetryOutcome.NotRetryable, await Store.Tasks.RetryAsync(new TaskActionParams(id) { Now = T0 }));
        Assert.Equal(RetryOutcome.NotFound, await Store.Tasks.RetryAsync(new TaskActionParams(777_777) { Now = T0 }));
    }

    [Fact]
    public async Task ManualRetry_OfACancelledTask_Works()
    {
        var id = await InsertAsync(Task());
        await Store.Tasks.CancelAsync(new TaskActionParams(id) { Now = T0 });

        Assert.Equal(RetryOutcome.Retried, await Store.Tasks.RetryAsync(new TaskActionParams(id) { Now = T0 }));
        Assert.Equal(id, (await ClaimOneAsync()).Id);
    }

    [Fact]
    public async Task ManualRetry_WithNewArgs_ReplacesThem_AndWithoutKeepsThem()
    {
        var edited = await InsertAsync(Task());
        var kept = await InsertAsync(Task(priority: 1));
        await Store.Tasks.CancelAsync(new TaskActionParams(edited) { Now = T0 });
        await Store.Tasks.CancelAsync(new TaskActionParams(kept) { Now = T0 });
        var before = (await GetAsync(kept)).ArgsJson;

        Assert.Equal(RetryOutcome.Retried, await Store.Tasks.RetryAsync(new TaskActionParams(edited) { Now = T0, ArgsJson = """{"n":42,"s":"édité"}""" }));
        Assert.Equal(RetryOutcome.Retried, await Store.Tasks.RetryAsync(new TaskActionParams(kept) { Now = T0 }));

        using var args = System.Text.Json.JsonDocument.Parse((await GetAsync(edited)).ArgsJson);
        Assert.Equal(42, args.RootElement.GetProperty("n").GetInt32());
        Assert.Equal("édité", args.RootElement.GetProperty("s").GetString());
        Assert.Equal(before, (await GetAsync(kept)).ArgsJson);
    }

    [Fact]
    public async Task Delete_RefusesRunningTasks_AndRemovesOthers()
    {
        var waiting = await InsertAsync(Task());
        var running = await InsertAsync(Task(priority: 1));
        await ClaimOneAsync();

        Assert.Equal(DeleteOutcome.Running, await Store.Tasks.DeleteAsync(new TaskActionParams(running) { Now = T0 }));
        Assert.Equal(DeleteOutcome.Deleted, await Store.Tasks.DeleteAsync(new TaskActionParams(waiting) { Now = T0 }));
        Assert.Equal(DeleteOutcome.NotFound, await Store.Tasks.DeleteAsync(new TaskActionParams(waiting) { Now = T0 }));
        Assert.Null(await Store.Tasks.GetAsync(waiting));
        Assert.NotNull(await Store.Tasks.GetAsync(running));
    }

    [Fact]
    public async Task List_Filters_AndPagesNewestFirstWithoutGapsOrRepeats()
    {
        var ids = new List<long>();
        for (var i = 0; i < 25; i++)
        {
            ids.Add(await InsertAsync(Task(queue: i % 2 == 0 ? "even" : "odd", plugin: i < 5 ? "p.first" : "p.rest", tags: i % 5 == 0 ? ["fifth"] : []), T0.AddSeconds(i)));
        }

        var seen = new List<long>();
        long? cursor = null;
        do
        {
            var page = await Store.Tasks.ListAsync(new TaskQuery { Limit = 10, BeforeId = cursor });
            seen.AddRange(page.Items.Select(t => t.Id));
            cursor = page.NextBeforeId;
        }
        while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(ids), seen);

        Assert.Equal(13, (await Store.Tasks.ListAsync(new TaskQuery { Queue = "even", Limit = 100 })).Items.Count);
        Assert.Equal(5, (await Store.Tasks.ListAsync(new TaskQuery { Plugin = "p.first", Limit = 100 })).Items.Count);
        Assert.Equal([ids[20], ids[15], ids[10], ids[5], ids[0]], (await Store.Tasks.ListAsync(new TaskQuery { Tag = "fifth", Limit = 100 })).Items.Select(t => t.Id));
        Assert.Equal([ids[12], ids[11], ids[10]], (await Store.Tasks.ListAsync(new TaskQuery { CreatedFrom = T0.AddSeconds(10), CreatedBefore = T0.AddSeconds(13), Limit = 100 })).Items.Select(t => t.Id));
        await ClaimOneAsync();
        Assert.Single((await Store.Tasks.ListAsync(new TaskQuery { State = TaskState.Running })).Items);
    }

    [Fact]
    public async Task DeleteMany_FinishedBefore_RemovesOnlyTasksThatFinishedEarlier()
    {
        var old = await InsertAsync(Task());
        var t1 = await ClaimOneAsync();
        await CompleteAsync(new TaskCompletion(t1.Id, t1.LeaseToken!.Value, CompletionKind.Succeeded), T0.AddHours(1));
        var recent = await InsertAsync(Task());
        var t2 = await ClaimOneAsync();
        await CompleteAsync(new TaskCompletion(t2.Id, t2.LeaseToken!.Value, CompletionKind.Succeeded), T0.AddHours(3));
        var waiting = await InsertAsync(Task());

        var deleted = await Store.Tasks.DeleteManyAsync(new BulkTaskParams(new TaskFilter { State = TaskState.Succeeded, FinishedBefore = T0.AddHours(2) }, 100) { Now = T0 });

        Assert.Equal(1, deleted);
        Assert.Null(await Store.Tasks.GetAsync(old));
        Assert.NotNull(await Store.Tasks.GetAsync(recent));
        Assert.NotNull(await Store.Tasks.GetAsync(waiting));
    }

    [Fact]
    public async Task Count_GroupsByQueueAndState()
    {
        await InsertAsync(Task(queue: "a"));
        await InsertAsync(Task(queue: "a"));
        await InsertAsync(Task(queue: "b", runAt: T0.AddHours(1)));
        await ClaimOneAsync();

        var counts = (await Store.Tasks.CountAsync()).ToDictionary(c => c.Queue);

        Assert.Equal(1, counts["a"].Counts[TaskState.Running]);
        Assert.Equal(1, counts["a"].Counts[TaskState.Available]);
        Assert.Equal(1, counts["b"].Counts[TaskState.Scheduled]);
        Assert.False(counts["b"].Counts.ContainsKey(TaskState.Running));
    }

    [Fact]
    public async Task Queues_ListsQueuesWithTasksOrSettings_AndKeepsSettings()
    {
        await InsertAsync(Task(queue: "from-task"));
        await Store.Queues.ConfigureAsync("configured", maxConcurrency: 4, maxBacklog: 1000);
        await Store.Queues.SetPausedAsync("configured", true);

        var queues = await Store.Queues.ListAsync();

        Assert.Equal(["configured", "from-task"], queues.Select(q => q.Name));
        Assert.Equal(new QueueInfo("configured", true, 4, 1000), queues[0]);
        Assert.Equal(new QueueInfo("from-task", false, null, null), queues[1]);
        Assert.Equal(new QueueInfo("never-seen", false, null, null), await Store.Queues.GetAsync("never-seen"));
    }

    [Fact]
    public async Task Queues_ListsAQueueWhileItHoldsATaskInAnyState_AndNotOnceItsTasksAreGone()
    {
        await InsertAsync(Task(queue: "waits") with { Waiting = true, Owner = "o" });
        await InsertAsync(Task(queue: "runs"));
        await ClaimOneAsync();
        var gone = await InsertAsync(Task(queue: "emptied"));

        Assert.Equal(["emptied", "runs", "waits"], (await Store.Queues.ListAsync()).Select(q => q.Name));

        Assert.Equal(DeleteOutcome.Deleted, await Store.Tasks.DeleteAsync(new TaskActionParams(gone) { Now = T0 }));
        Assert.Equal(["runs", "waits"], (await Store.Queues.ListAsync()).Select(q => q.Name));
    }
}
