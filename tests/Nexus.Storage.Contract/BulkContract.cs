using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Bulk operator actions: retry many and delete many tasks matching a filter, bounded, oldest first.</summary>
public abstract class BulkContract : StoreContract
{
    /// <summary>Inserts a task, claims it and completes it dead (one attempt allowed).</summary>
    private async Task<long> DeadAsync(string queue = "default", string plugin = "test.echo", IReadOnlyList<string>? tags = null, DateTimeOffset? at = null)
    {
        var id = await InsertAsync(Task(queue: queue, plugin: plugin, maxAttempts: 1, tags: tags), at ?? T0);
        var claimed = await ClaimAsync(1, now: at ?? T0, plugins: [plugin], queues: [queue]);
        var t = Assert.Single(claimed);
        Assert.Equal(id, t.Id);
        Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Dead) { Error = Error(1) }, at ?? T0));
        return id;
    }

    [Fact]
    public async Task CountAhead_CountsTheQueuesReadyTasksTheClaimOrderPutsFirst_UpToTheCap()
    {
        await DeadAsync(queue: "a");
        var first = await InsertAsync(Task(queue: "a"));
        var urgent = await InsertAsync(Task(queue: "a", priority: 5));
        var target = await InsertAsync(Task(queue: "a"));
        await InsertAsync(Task(queue: "a", runAt: T0.AddHours(1)));
        await InsertAsync(Task(queue: "b", priority: 9));
        await InsertAsync(Task(queue: "a", runAt: T0.AddMinutes(-1)));
        var t = (await Store.Tasks.GetAsync(target))!;

        // Ahead of the target: the higher priority, the earlier run time and the lower id; not the task due later,
        // not another queue's, not a finished one.
        Assert.Equal(3, await Store.Tasks.CountAheadAsync(new CountAheadParams("a", t.Priority, t.RunAt, t.Id, 100) { Now = T0 }));
        var f = (await Store.Tasks.GetAsync(first))!;
        Assert.Equal(2, await Store.Tasks.CountAheadAsync(new CountAheadParams("a", f.Priority, f.RunAt, f.Id, 100) { Now = T0 }));
        var u = (await Store.Tasks.GetAsync(urgent))!;
        Assert.Equal(0, await Store.Tasks.CountAheadAsync(new CountAheadParams("a", u.Priority, u.RunAt, u.Id, 100) { Now = T0 }));
        Assert.Equal(1, await Store.Tasks.CountAheadAsync(new CountAheadParams("a", t.Priority, t.RunAt, t.Id, 1) { Now = T0 }));
        // Once the later task is due it is ready too, but still behind the target by its run time.
        Assert.Equal(3, await Store.Tasks.CountAheadAsync(new CountAheadParams("a", t.Priority, t.RunAt, t.Id, 100) { Now = T0.AddHours(2) }));
        await Assert.ThrowsAsync<TaskValidationException>(() => Store.Tasks.CountAheadAsync(new CountAheadParams("a", 0, T0, 1, 0)));
    }

    [Fact]
    public async Task CountMatching_CountsWhatTheFilterAndStatesMatch_UpToTheCap()
    {
        await DeadAsync(queue: "a", tags: ["x"]);
        await DeadAsync(queue: "a");
        await DeadAsync(queue: "b", tags: ["x"]);
        var cancelled = await InsertAsync(Task(queue: "a", tags: ["x"]));
        await Store.Tasks.CancelAsync(new TaskActionParams(cancelled) { Now = T0 });
        await InsertAsync(Task(queue: "a", tags: ["x"]));

        Assert.Equal(5, await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter(), 100)));
        Assert.Equal(4, await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { Queue = "a" }, 100)));
        Assert.Equal(3, await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { Queue = "a", Tag = "x" }, 100)));
        Assert.Equal(2, await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { State = TaskState.Dead, Queue = "a" }, 100)));
        Assert.Equal(3, await Store.Tasks.CountMatchingAsync(
            new TaskCountParams(new TaskFilter { Queue = "a" }, 100) { States = [TaskState.Dead, TaskState.Cancelled] }));
        Assert.Equal(0, await Store.Tasks.CountMatchingAsync(
            new TaskCountParams(new TaskFilter { State = TaskState.Available }, 100) { States = [TaskState.Dead] }));
        Assert.Equal(2, await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter(), 2)));
        Assert.Equal(0, await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { Plugin = "nobody" }, 100)));

        // What the count said is what the bulk action then touches.
        var retryable = await Store.Tasks.CountMatchingAsync(
            new TaskCountParams(new TaskFilter { Tag = "x" }, 100) { States = [TaskState.Dead, TaskState.Cancelled] });
        Assert.Equal(retryable, await Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter { Tag = "x" }, 100) { Now = T0 }));
    }

    [Fact]
    public async Task ArgsMatch_FindsTasksByTheValueAtAPath_ComparedByJsonType()
    {
        var big = await InsertAsync(Task(args: """{"size":{"w":512},"name":"a-b é","flag":true,"items":[{"id":"x"}],"none":null}"""));
        var small = await InsertAsync(Task(args: """{"size":{"w":64},"name":"512","flag":false,"items":[{"id":"y"}]}"""));
        await InsertAsync(Task(args: "{}"));

        async Task<long[]> Find(string path, string value)
        {
            var page = await Store.Tasks.ListAsync(new TaskQuery { Args = ArgsMatch.Parse(path, value) });
            var count = await Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter { Args = ArgsMatch.Parse(path, value) }, 100));
            Assert.Equal(page.Items.Count, count);
            return [.. page.Items.Select(t => t.Id)];
        }

        Assert.Equal([big], await Find("size.w", "512"));
        Assert.Equal([big], await Find("size.w", "512.0"));
        Assert.Empty(await Find("name", "512"));                    // 512 is a number; the string "512" is matched only quoted
        Assert.Equal([small], await Find("name", "\"512\""));
        Assert.Equal([big], await Find("name", "a-b é"));
        Assert.Equal([big], await Find("flag", "true"));
        Assert.Equal([small], await Find("flag", "false"));
        Assert.Equal([big], await Find("none", "null"));
        Assert.Equal([small], await Find("items.0.id", "y"));
        Assert.Empty(await Find("items.1.id", "y"));
        Assert.Empty(await Find("size", "512"));
        Assert.Empty(await Find("missing.path", "x"));
    }

    [Fact]
    public async Task ArgsSearch_LooksThroughAWindowOfIdsPerPage_AndItsCursorsReachEveryMatchOnce()
    {
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await InsertAsync(Task(args: i % 7 == 0 ? """{"hit":true}""" : """{"hit":false}""")));
        var hits = ids.Where((_, i) => i % 7 == 0).Reverse().ToList();
        var match = ArgsMatch.Parse("hit", "true");

        var found = new List<long>();
        var pages = 0;
        var shortPagesWithACursor = 0;
        long? before = null;
        do
        {
            var page = await Store.Tasks.ListAsync(new TaskQuery { Args = match, BeforeId = before, Limit = 3, ArgsScanWindow = 10 });
            var top = Math.Min(before ?? long.MaxValue, ids[^1] + 1);
            // Each page looks only at the ten ids below its cursor (or the newest task).
            Assert.All(page.Items, t => Assert.InRange(t.Id, top - 10, top - 1));
            if (page.Items.Count < 3 && page.NextBeforeId is not null) shortPagesWithACursor++;
            found.AddRange(page.Items.Select(t => t.Id));
            before = page.NextBeforeId;
            Assert.True(++pages < 20, "the cursors reach the end");
        }
        while (before is not null);

        Assert.Equal(hits, found);
        Assert.True(shortPagesWithACursor > 0, "a page stopped at its window and said where to go on");
        // Without args there is no window: a full page.
        Assert.Equal(10, (await Store.Tasks.ListAsync(new TaskQuery { Limit = 10 })).Items.Count);
        // One window as large as the table finds them all on one page with no cursor.
        var all = await Store.Tasks.ListAsync(new TaskQuery { Args = match, Limit = 50 });
        Assert.Equal(hits, all.Items.Select(t => t.Id));
        Assert.Null(all.NextBeforeId);
    }

    [Fact]
    public void ArgsMatch_RefusesBadPathsAndValues_NamingTheField()
    {
        Assert.Equal("args.path", Assert.Throws<TaskValidationException>(() => ArgsMatch.Parse("a..b", "1")).Field);
        Assert.Equal("args.path", Assert.Throws<TaskValidationException>(() => ArgsMatch.Parse("a'); drop table x;--", "1")).Field);
        Assert.Equal("args.value", Assert.Throws<TaskValidationException>(() => ArgsMatch.Parse("a", "{\"b\":1}")).Field);
    }

    [Fact]
    public async Task CountMatching_RefusesACapOutOfRange_NamingIt()
    {
        var error = await Assert.ThrowsAsync<TaskValidationException>(() => Store.Tasks.CountMatchingAsync(new TaskCountParams(new TaskFilter(), 0)));
        Assert.Equal("cap", error.Field);
    }

    [Fact]
    public async Task RetryMany_RetriesOnlyDeadOrCancelledTasksMatchingTheFilter()
    {
        var deadA = await DeadAsync(queue: "a");
        var deadB = await DeadAsync(queue: "b");
        var cancelled = await InsertAsync(Task(queue: "a"));
        await Store.Tasks.CancelAsync(new TaskActionParams(cancelled) { Now = T0 });
        var waiting = await InsertAsync(Task(queue: "a", runAt: T0.AddHours(1)));

        var retried = await Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter { Queue = "a" }, 100) { Now = T0.AddMinutes(1) });

        Assert.Equal(2, retried);
        var again = await GetAsync(deadA);
        Assert.Equal(TaskState.Available, again.State);
        Assert.Equal(2, again.MaxAttempts);
        Assert.Null(again.FinishedAt);
        Assert.Equal(T0.AddMinutes(1), again.RunAt);
        Assert.Single(again.Errors);
        Assert.Equal(TaskState.Available, (await GetAsync(cancelled)).State);
        Assert.Equal(TaskState.Dead, (await GetAsync(deadB)).State);
        Assert.Equal(TaskState.Scheduled, (await GetAsync(waiting)).State);
    }

    [Fact]
    public async Task RetryMany_WithStateDead_LeavesCancelledTasks_AndFiltersByPluginTagAndTime()
    {
        var early = await DeadAsync(plugin: "p.one", tags: ["x"], at: T0);
        var late = await DeadAsync(plugin: "p.one", tags: ["x"], at: T0.AddHours(1));
        var untagged = await DeadAsync(plugin: "p.one", at: T0.AddHours(1));
        var otherPlugin = await DeadAsync(plugin: "p.two", tags: ["x"], at: T0.AddHours(1));
        var cancelled = await InsertAsync(Task(plugin: "p.one", tags: ["x"]), T0.AddHours(1));
        await Store.Tasks.CancelAsync(new TaskActionParams(cancelled) { Now = T0 });

        var filter = new TaskFilter { State = TaskState.Dead, Plugin = "p.one", Tag = "x", CreatedFrom = T0.AddMinutes(30), CreatedBefore = T0.AddHours(2) };
        Assert.Equal(1, await Store.Tasks.RetryManyAsync(new BulkTaskParams(filter, 100) { Now = T0 }));

        Assert.Equal(TaskState.Available, (await GetAsync(late)).State);
        Assert.Equal(TaskState.Dead, (await GetAsync(early)).State);
        Assert.Equal(TaskState.Dead, (await GetAsync(untagged)).State);
        Assert.Equal(TaskState.Dead, (await GetAsync(otherPlugin)).State);
        Assert.Equal(TaskState.Cancelled, (await GetAsync(cancelled)).State);
    }

    [Fact]
    public async Task RetryMany_TouchesAtMostMax_OldestFirst()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await DeadAsync());

        Assert.Equal(3, await Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter(), 3) { Now = T0 }));
        var states = new List<TaskState>();
        foreach (var id in ids) states.Add((await GetAsync(id)).State);
        Assert.Equal([TaskState.Available, TaskState.Available, TaskState.Available, TaskState.Dead, TaskState.Dead], states);
        Assert.Equal(2, await Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter(), 3) { Now = T0 }));
        Assert.Equal(0, await Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter(), 3) { Now = T0 }));
    }

    [Fact]
    public async Task DeleteMany_NeverDeletesRunningTasks()
    {
        var dead = await DeadAsync();
        var running = await InsertAsync(Task(priority: 5));
        Assert.Equal(running, (await ClaimOneAsync()).Id);
        var waiting = await InsertAsync(Task());

        Assert.Equal(2, await Store.Tasks.DeleteManyAsync(new BulkTaskParams(new TaskFilter(), 100) { Now = T0 }));

        Assert.Null(await Store.Tasks.GetAsync(dead));
        Assert.Null(await Store.Tasks.GetAsync(waiting));
        Assert.Equal(TaskState.Running, (await GetAsync(running)).State);
    }

    [Fact]
    public async Task DeleteMany_WithStateDead_PurgesDeadLettersOfOneQueue_UpToMax()
    {
        var a1 = await DeadAsync(queue: "a");
        var a2 = await DeadAsync(queue: "a");
        var a3 = await DeadAsync(queue: "a");
        var b = await DeadAsync(queue: "b");
        var available = await InsertAsync(Task(queue: "a"));
        var filter = new TaskFilter { State = TaskState.Dead, Queue = "a" };

        Assert.Equal(2, await Store.Tasks.DeleteManyAsync(new BulkTaskParams(filter, 2) { Now = T0 }));
        Assert.Null(await Store.Tasks.GetAsync(a1));
        Assert.Null(await Store.Tasks.GetAsync(a2));
        Assert.NotNull(await Store.Tasks.GetAsync(a3));
        Assert.Equal(1, await Store.Tasks.DeleteManyAsync(new BulkTaskParams(filter, 2) { Now = T0 }));
        Assert.Null(await Store.Tasks.GetAsync(a3));
        Assert.NotNull(await Store.Tasks.GetAsync(b));
        Assert.NotNull(await Store.Tasks.GetAsync(available));
    }

    [Fact]
    public async Task Bulk_RefusesAnOutOfRangeMaxOrABadQueue_NamingTheField()
    {
        var tooMany = await Assert.ThrowsAsync<TaskValidationException>(() => Store.Tasks.DeleteManyAsync(new BulkTaskParams(new TaskFilter(), BulkTaskParams.MaxLimit + 1)));
        Assert.Equal("max", tooMany.Field);
        var zero = await Assert.ThrowsAsync<TaskValidationException>(() => Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter(), 0)));
        Assert.Equal("max", zero.Field);
        var queue = await Assert.ThrowsAsync<TaskValidationException>(() => Store.Tasks.RetryManyAsync(new BulkTaskParams(new TaskFilter { Queue = "bad queue!" }, 1)));
        Assert.Equal("queue", queue.Field);
    }
}
