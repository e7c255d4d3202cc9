using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Submitting: states, run times, batches, unique keys and backlog limits.</summary>
public abstract class InsertContract : StoreContract
{
    [Fact]
    public async Task Insert_WithoutRunAt_StoresAvailableTaskWithAllFields()
    {
        var task = Task(queue: "mail", priority: 5, maxAttempts: 7, uniqueKey: "k1", tags: ["a", "b"], args: """{"to":"x@y.z"}""") with
        {
            Timeout = TimeSpan.FromSeconds(9),
            Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(2), Multiplier = 3, MaxDelay = TimeSpan.FromMinutes(5), Jitter = 0 },
        };
        var id = await InsertAsync(task);

        var stored = await GetAsync(id);
        Assert.Equal(TaskState.Available, stored.State);
        Assert.Equal("test.echo", stored.Plugin);
        Assert.Equal("mail", stored.Queue);
        Assert.Equal(5, stored.Priority);
        Assert.Equal(7, stored.MaxAttempts);
        Assert.Equal(0, stored.Attempt);
        Assert.Equal("k1", stored.UniqueKey);
        Assert.Equal(["a", "b"], stored.Tags);
        Assert.Equal("x@y.z", System.Text.Json.JsonDocument.Parse(stored.ArgsJson).RootElement.GetProperty("to").GetString());
        Assert.Equal(T0, stored.RunAt);
        Assert.Equal(T0, stored.CreatedAt);
        Assert.Equal(TimeSpan.FromSeconds(9), stored.Timeout);
        Assert.Equal(task.Retry, stored.Retry);
        Assert.Empty(stored.Errors);
        Assert.Null(stored.LeaseToken);
    }

    [Fact]
    public async Task Insert_OfOneTaskWithoutAKey_StoresEveryField()
    {
        // One task without a unique key is the commonest submit; a driver may take it on a path of its own.
        var task = Task(queue: "mail", priority: -3, maxAttempts: 4, tags: ["x"], args: """{"n":[1,2],"s":"é"}""") with
        {
            Timeout = TimeSpan.FromSeconds(30),
            Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), Multiplier = 2, MaxDelay = TimeSpan.FromMinutes(1), Jitter = 0.1 },
            TraceContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            Owner = "run:7/step:a",
        };
        var id = await InsertAsync(task);
        var waitingId = await InsertAsync(Task(delay: TimeSpan.FromMinutes(1)) with { Waiting = true });
        var scheduledId = await InsertAsync(Task(runAt: T0.AddMinutes(2)));

        var stored = await GetAsync(id);
        Assert.Equal(TaskState.Available, stored.State);
        Assert.Equal(("mail", -3, 4, 0), (stored.Queue, stored.Priority, stored.MaxAttempts, stored.Attempt));
        Assert.Null(stored.UniqueKey);
        Assert.Equal(["x"], stored.Tags);
        Assert.Equal("é", System.Text.Json.JsonDocument.Parse(stored.ArgsJson).RootElement.GetProperty("s").GetString());
        Assert.Equal((T0, T0), (stored.RunAt, stored.CreatedAt));
        Assert.Equal(TimeSpan.FromSeconds(30), stored.Timeout);
        Assert.Equal(task.Retry, stored.Retry);
        Assert.Equal(task.TraceContext, stored.TraceContext);
        Assert.Equal("run:7/step:a", stored.Owner);
        var waiting = await GetAsync(waitingId);
        Assert.Equal((TaskState.Waiting, T0.AddMinutes(1)), (waiting.State, waiting.RunAt));
        var scheduled = await GetAsync(scheduledId);
        Assert.Equal((TaskState.Scheduled, T0.AddMinutes(2)), (scheduled.State, scheduled.RunAt));
        Assert.True(id < waitingId && waitingId < scheduledId);
    }

    [Fact]
    public async Task Insert_WithFutureRunAt_IsScheduledAndNotClaimableUntilDue()
    {
        var id = await InsertAsync(Task(runAt: T0.AddMinutes(5)));
        Assert.Equal(TaskState.Scheduled, (await GetAsync(id)).State);

        Assert.Empty(await ClaimAsync(now: T0.AddMinutes(4)));
        var claimed = Assert.Single(await ClaimAsync(now: T0.AddMinutes(5)));
        Assert.Equal(id, claimed.Id);
    }

    [Fact]
    public async Task Insert_WithDelay_CountsFromTheStoreClock()
    {
        var id = await InsertAsync(Task(delay: TimeSpan.FromSeconds(90)));

        var stored = await GetAsync(id);
        Assert.Equal(TaskState.Scheduled, stored.State);
        Assert.Equal(T0.AddSeconds(90), stored.RunAt);
    }

    [Fact]
    public async Task Insert_Batch_StoresEveryTaskInOrderInOneCall()
    {
        var tasks = Enumerable.Range(0, 2500).Select(i => Task(args: $$"""{"n":{{i}}}""")).ToList();

        var results = await Store.Tasks.InsertAsync(new InsertTasksParams(tasks) { Now = T0 });

        Assert.Equal(2500, results.Count);
        Assert.All(results, r => Assert.True(r.Created));
        Assert.Equal(results.Select(r => r.Id).Order(), results.Select(r => r.Id));
        Assert.Equal(2500, results.Select(r => r.Id).Distinct().Count());
        var last = await GetAsync(results[^1].Id);
        Assert.Equal(2499, System.Text.Json.JsonDocument.Parse(last.ArgsJson).RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Insert_SameUniqueKeyTwice_ReturnsTheExistingTask()
    {
        var first = (await Store.Tasks.InsertAsync(new InsertTasksParams([Task(uniqueKey: "order-42")]) { Now = T0 }))[0];
        var second = (await Store.Tasks.InsertAsync(new InsertTasksParams([Task(uniqueKey: "order-42", args: """{"other":1}""")]) { Now = T0 }))[0];

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal("{}", (await GetAsync(first.Id)).ArgsJson.Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Insert_SameUniqueKeyWithinOneBatch_CreatesOneTask()
    {
        var results = await Store.Tasks.InsertAsync(new InsertTasksParams([Task(uniqueKey: "dup"), Task(), Task(uniqueKey: "dup")]) { Now = T0 });

        Assert.True(results[0].Created);
        Assert.True(results[1].Created);
        Assert.False(results[2].Created);
        Assert.Equal(results[0].Id, results[2].Id);
    }

    [Fact]
    public async Task Insert_SameUniqueKeyFromManyConcurrentCallers_CreatesExactlyOneTask()
    {
        var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 32).Select(_ =>
            Store.Tasks.InsertAsync(new InsertTasksParams([Task(uniqueKey: "race")]) { Now = T0 })));

        var all = results.Select(r => r[0]).ToList();
        Assert.Single(all, r => r.Created);
        Assert.Single(all.Select(r => r.Id).Distinct());
        var page = await Store.Tasks.ListAsync(new TaskQuery { Limit = 100 });
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task Insert_BeyondQueueBacklog_IsRefusedAndStoresNothing()
    {
        await Store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 3);
        await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "bounded"), Task(queue: "bounded")]) { Now = T0 });

        var ex = await Assert.ThrowsAsync<QueueFullException>(() =>
            Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "other"), Task(queue: "bounded"), Task(queue: "bounded")]) { Now = T0 }));

        Assert.Equal("bounded", ex.Queue);
        Assert.Equal(3, ex.MaxBacklog);
        Assert.Contains("bounded", ex.Message, StringComparison.Ordinal);
        var counts = await Store.Tasks.CountAsync();
        Assert.Equal(2, counts.Single(c => c.Queue == "bounded").Counts[TaskState.Available]);
        Assert.DoesNotContain(counts, c => c.Queue == "other");

        // Finished tasks do not count against the backlog.
        var claimed = await ClaimAsync(2, queues: ["bounded"]);
        foreach (var t in claimed) Assert.True(await CompleteAsync(new TaskCompletion(t.Id, t.LeaseToken!.Value, CompletionKind.Succeeded)));
        var ok = await Store.Tasks.InsertAsync(new InsertTasksParams([Task(queue: "bounded"), Task(queue: "bounded"), Task(queue: "bounded")]) { Now = T0 });
        Assert.Equal(3, ok.Count);
    }

    [Fact]
    public async Task Insert_OneAtATime_FillsTheBacklogExactly_ThenIsRefused()
    {
        await Store.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 2);
        await InsertAsync(Task(queue: "bounded"));
        await InsertAsync(Task(queue: "bounded") with { Delay = TimeSpan.FromMinutes(5) });

        var ex = await Assert.ThrowsAsync<QueueFullException>(() => InsertAsync(Task(queue: "bounded")));

        Assert.Equal(("bounded", 2L), (ex.Queue, ex.MaxBacklog));
        var counts = (await Store.Tasks.CountAsync()).Single(c => c.Queue == "bounded").Counts;
        Assert.Equal((1, 1), (counts[TaskState.Available], counts[TaskState.Scheduled]));
    }

    [Fact]
    public async Task Migrate_TwiceIsHarmless_AndHealthReportsReady()
    {
        var id = await InsertAsync(Task());

        var again = await Store.MigrateAsync();
        var health = await Store.CheckHealthAsync();

        Assert.Empty(again.Applied);
        Assert.True(health.Ready, health.Error);
        Assert.Equal(TaskState.Available, (await GetAsync(id)).State);
    }
}
