using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>The engine end to end on the driver under test: submit, run, retry, dead, snooze, cancel, timeout, rescue, shutdown.</summary>
public abstract class EngineContract : EngineHarness
{
    private static string Args(ProbeMode mode, int failTimes = 0, string? value = null) =>
        JsonSerializer.Serialize(new ProbeArgs { Mode = mode, FailTimes = failTimes, Value = value }, NexusJson.Options);

    [Fact]
    public async Task Submit_RunsThePlugin_AndStoresItsResult()
    {
        var (_, tasks) = await StartAsync();

        var submitted = await tasks.SubmitAsync("test.probe", new ProbeArgs { Value = "hello" });
        var done = await WaitFinishedAsync(tasks, submitted.Id);

        Assert.True(submitted.Created);
        Assert.Equal(TaskState.Succeeded, done.State);
        var result = JsonSerializer.Deserialize<ProbeResult>(done.ResultJson!, NexusJson.Options)!;
        Assert.Equal(new ProbeResult("hello", 1), result);
        Assert.Equal(1, Probe.Runs[submitted.Id]);
    }

    [Fact]
    public async Task FailingTask_IsRetriedWithExponentialBackoffOnTheClock_ThenSucceeds()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var t0 = clock.GetUtcNow();
        var (_, tasks) = await StartAsync(time: clock);
        var retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(10), Multiplier = 2, MaxDelay = TimeSpan.FromMinutes(10), Jitter = 0 };

        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Fail, failTimes: 2), new SubmitOptions { Retry = retry, MaxAttempts = 3 })).Id;

        var first = await WaitUntilAsync(tasks, id, t => t.State == TaskState.Retrying && t.Errors.Count == 1);
        Assert.Equal(t0.AddSeconds(10), first.RunAt);
        clock.Advance(TimeSpan.FromSeconds(10));
        var second = await WaitUntilAsync(tasks, id, t => t.State == TaskState.Retrying && t.Errors.Count == 2);
        Assert.Equal(t0.AddSeconds(10 + 20), second.RunAt);
        clock.Advance(TimeSpan.FromSeconds(20));
        var done = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(3, done.Attempt);
        Assert.Equal(["planned failure 1", "planned failure 2"], done.Errors.Select(e => e.Message));
        Assert.All(done.Errors, e => Assert.Equal("InvalidOperationException", e.Type));
        Assert.All(done.Errors, e => Assert.False(string.IsNullOrEmpty(e.StackTrace)));
    }

    [Fact]
    public async Task TaskFailingEveryAttempt_IsDead_AndAManualRetryRunsItAgain()
    {
        var (_, tasks) = await StartAsync();
        var fast = new RetryPolicy { InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero, Jitter = 0 };

        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Fail, failTimes: 2), new SubmitOptions { MaxAttempts = 2, Retry = fast })).Id;
        var dead = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Dead, dead.State);
        Assert.Equal(2, dead.Errors.Count);
        Assert.Equal(RetryOutcome.Retried, await tasks.RetryAsync(id));
        var done = await WaitFinishedAsync(tasks, id);
        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(3, done.Attempt);
    }

    [Fact]
    public async Task PermanentFailure_IsDeadAfterOneAttempt()
    {
        var (_, tasks) = await StartAsync();

        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Permanent), new SubmitOptions { MaxAttempts = 5 })).Id;
        var dead = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Dead, dead.State);
        Assert.Equal(1, dead.Attempt);
        Assert.Equal("cannot ever work", Assert.Single(dead.Errors).Message);
    }

    [Fact]
    public async Task Snooze_RunsAgain_WithoutSpendingAnAttempt()
    {
        var (_, tasks) = await StartAsync();

        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Snooze), new SubmitOptions { MaxAttempts = 1 })).Id;
        var done = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(2, Probe.Runs[id]);
        Assert.Equal(1, done.Attempt);
        Assert.Empty(done.Errors);
    }

    [Fact]
    public async Task CancellingARunningTask_StopsItThroughItsToken()
    {
        var (_, tasks) = await StartAsync();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id;
        await WaitStartedAsync(Probe, id);

        Assert.Equal(CancelOutcome.Requested, await tasks.CancelAsync(id));
        var done = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Cancelled, done.State);
    }

    [Fact]
    public async Task CancellationRequestedElsewhere_ReachesTheWorkerThroughItsHeartbeat()
    {
        var (_, tasks) = await StartAsync(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.LeaseDuration = TimeSpan.FromSeconds(5);
        });
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id;
        await WaitStartedAsync(Probe, id);

        // As another process would: straight through the store, not through this node's task service.
        Assert.Equal(CancelOutcome.Requested, await LastStore!.Tasks.CancelAsync(new TaskActionParams(id)));
        var done = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Cancelled, done.State);
    }

    [Fact]
    public async Task AttemptOverItsTimeout_FailsWithATimeoutError()
    {
        var (_, tasks) = await StartAsync();

        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block), new SubmitOptions { Timeout = TimeSpan.FromMilliseconds(200), MaxAttempts = 1 })).Id;
        var dead = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Dead, dead.State);
        var error = Assert.Single(dead.Errors);
        Assert.Equal("TimeoutException", error.Type);
        Assert.Contains("timeout", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TaskStoredWithATimeoutBeyondTheEnginesTimers_RunsOnce()
    {
        var (_, tasks) = await StartAsync();

        // Written straight to the store, as rows from before the bounds were: submits refuse such a timeout.
        var task = new NewTask { Plugin = "test.probe", ArgsJson = Args(ProbeMode.Succeed), Queue = "default", MaxAttempts = 3, Timeout = TimeSpan.FromMilliseconds(4_294_967_296) };
        var id = (await LastStore!.Tasks.InsertAsync(new InsertTasksParams([task])))[0].Id;
        var done = await tasks.WaitFinishedAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(1, done.Attempt);
        Assert.Equal(1, Probe.Runs[id]);
    }

    [Fact]
    public async Task SnoozeBeyondTheLongestRetryDelay_IsShortenedToIt()
    {
        var (_, tasks) = await StartAsync();

        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.SnoozeForever))).Id;
        var snoozed = await WaitUntilAsync(tasks, id, t => t.State == TaskState.Scheduled);

        Assert.Equal(0, snoozed.Attempt);
        Assert.InRange(snoozed.RunAt - snoozed.CreatedAt, TaskBounds.MaxRetryDelay - TimeSpan.FromMinutes(1), TaskBounds.MaxRetryDelay + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Progress_IsStoredWhileTheTaskRuns()
    {
        var (_, tasks) = await StartAsync();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id;
        await WaitStartedAsync(Probe, id);

        var running = await WaitUntilAsync(tasks, id, t => t.Progress is not null);

        Assert.Equal(new TaskProgress(0.5, "halfway"), running.Progress);
        Probe.Gate.SetResult();
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, id)).State);
    }

    [Fact]
    public async Task AShortTasksLastProgress_IsStoredWithItsCompletion()
    {
        var (_, tasks) = await StartAsync();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.ReportAndSucceed))).Id;

        var done = await WaitFinishedAsync(tasks, id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(new TaskProgress(1, "done"), done.Progress);
    }

    [Fact]
    public async Task TaskOfACrashedWorker_IsRescuedAfterItsLeaseExpires_AndRunsAgain()
    {
        var (_, tasks) = await StartAsync(o => o.Queues = ["busy"]);
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed), new SubmitOptions { Queue = "ghost-queue" })).Id;
        // A worker that then vanishes claims it with a short lease (the engine does not serve this queue).
        var stolen = await LastStore!.Tasks.ClaimAsync(new ClaimParams("ghost-node", 1, TimeSpan.FromMilliseconds(300)) { Queues = ["ghost-queue"] });
        Assert.Equal(id, Assert.Single(stolen).Id);
        var (_, tasks2) = await StartAsync(o => o.Queues = ["ghost-queue"]);

        var done = await WaitFinishedAsync(tasks2, id);

        Assert.Equal(TaskState.Succeeded, done.State);
        Assert.Equal(2, done.Attempt);
        Assert.Equal("LeaseExpired", Assert.Single(done.Errors).Type);
    }

    [Fact]
    public async Task Shutdown_LetsRunningTasksFinishWithinTheDeadline()
    {
        var (host, tasks) = await StartAsync();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id;
        await WaitStartedAsync(Probe, id);

        var stopping = host.StopAsync();
        Probe.Gate.SetResult();
        await stopping;

        Assert.Equal(TaskState.Succeeded, (await LastStore!.Tasks.GetAsync(id))!.State);
    }

    [Fact]
    public async Task Shutdown_HandsBackTasksStillRunningAtTheDeadline_WithoutSpendingTheirAttempt()
    {
        var (host, tasks) = await StartAsync(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id;
        await WaitStartedAsync(Probe, id);

        await host.StopAsync();

        var handedBack = (await LastStore!.Tasks.GetAsync(id))!;
        Assert.Equal(TaskState.Available, handedBack.State);
        Assert.Equal(0, handedBack.Attempt);
        Assert.Null(handedBack.LeaseToken);
    }

    [Fact]
    public async Task AClaimReturningAfterShutdownBegan_HandsItsTasksBackUnstartedAndUnspent()
    {
        ClaimGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (host, tasks) = await StartAsync();
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        await Eventually.WithinAsync(ClaimEntered.Task, because: "a claim to go out");

        var stopping = host.StopAsync();
        // The engine has stopped starting attempts and waits for the claim still out; now that claim commits.
        await Eventually.UntilAsync(() => Task.FromResult(Logs.Messages), m => m.Any(l => l.Contains("Shutting down", StringComparison.Ordinal)),
            because: "the engine to begin its drain");
        ClaimGate.SetResult();
        await Eventually.WithinAsync(stopping, because: "the engine to stop");

        Assert.False(Probe.Runs.ContainsKey(id), "an attempt started after shutdown began");
        var back = (await LastStore!.Tasks.GetAsync(id))!;
        Assert.Equal(TaskState.Available, back.State);
        Assert.Equal(0, back.Attempt);
        Assert.Null(back.LeaseToken);
    }

    [Fact]
    public async Task Workers_TakeHigherPriorityTasksFirst()
    {
        var (submitter, tasks) = await StartAsync(o => o.RunWorkers = false);
        var low = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed), new SubmitOptions { Priority = 1 })).Id;
        var high = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed), new SubmitOptions { Priority = 100 })).Id;
        var mid = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed), new SubmitOptions { Priority = 50 })).Id;

        // A one-worker node on the same store, taking one task per claim.
        var (_, worker) = await StartAsync(o =>
        {
            o.Concurrency = 1;
            o.ClaimBatchSize = 1;
        });
        await WaitFinishedAsync(worker, low);

        Assert.Equal([high, mid, low], Probe.StartOrder);
    }

    [Fact]
    public async Task Retention_DeletesSucceededTasksOnceTheyAreOlderThanTheirRetention_AndKeepsDeadOnes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2032, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var (_, tasks) = await StartAsync(o =>
        {
            o.RetainSucceeded = TimeSpan.FromHours(1);
            o.RetainDead = TimeSpan.FromDays(30);
            o.RetentionInterval = TimeSpan.FromMinutes(5);
        }, clock);
        var succeeded = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        var dead = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Permanent))).Id;
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, succeeded)).State);
        Assert.Equal(TaskState.Dead, (await WaitFinishedAsync(tasks, dead)).State);

        await Eventually.UntilAsync(async () =>
        {
            if (await tasks.GetAsync(succeeded) is null) return true;
            clock.Advance(TimeSpan.FromMinutes(5)); // each step fires the retention timer once
            return false;
        }, because: "the succeeded task to be deleted after its retention");

        Assert.True(clock.GetUtcNow() - new DateTimeOffset(2032, 5, 1, 0, 0, 0, TimeSpan.Zero) > TimeSpan.FromHours(1), "deleted before its retention had passed");
        Assert.NotNull(await tasks.GetAsync(dead));
    }

    [Fact]
    public async Task AFinishedAttempt_FreesItsSlotAtOnce_AndItsLeaseIsRenewedUntilItsOutcomeIsStored()
    {
        CompletionGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (_, tasks) = await StartAsync(o =>
        {
            o.Concurrency = 1;
            o.LeaseDuration = TimeSpan.FromSeconds(2);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
        });
        var first = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        await WaitStartedAsync(Probe, first);
        await Eventually.WithinAsync(CompletionWriteEntered.Task, because: "the completion write to be entered");
        var claimedLease = (await tasks.GetAsync(first))!.LeaseExpiresAt!.Value;

        // The only slot is free while the first outcome waits to be written: the next task runs meanwhile...
        var second = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        await WaitStartedAsync(Probe, second);
        // ...and the unwritten attempt is still heartbeated, its lease moving on past the one it was claimed with.
        var renewed = await WaitUntilAsync(tasks, first, t => t.LeaseExpiresAt > claimedLease.AddMilliseconds(500));
        Assert.Equal(TaskState.Running, renewed.State);

        CompletionGate.SetResult();
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, first)).State);
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, second)).State);
        Assert.Equal(1, Probe.Runs[first]);
        Assert.Equal(1, Probe.Runs[second]);
    }

    [Fact]
    public async Task AHeartbeatRacingTheCompletionWrite_DoesNotReportALostLease()
    {
        // The outcome is stored, but the engine has not heard so yet: a heartbeat then finds the row finished. That is
        // the completion it just wrote, not a lost lease (issue 17: a burst logged "Lost the lease" for a task that
        // succeeded at its first attempt).
        CompletionReturnGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (_, tasks) = await StartAsync(o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(2);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(50);
        });
        var id = (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id;
        await Eventually.WithinAsync(CompletionWritten.Task, because: "the completion to be written");
        Assert.Equal(TaskState.Succeeded, (await tasks.GetAsync(id))!.State);
        // Several heartbeats sent the attempt's lease after its row was finished.
        await Eventually.UntilAsync(() => Gated!.HeartbeatsAfterWrite >= 3, because: "heartbeats while the completion write was pending");
        Assert.True(Gated!.HeartbeatsAfterWrite >= 3, "no heartbeat ran while the completion write was pending");

        CompletionReturnGate.SetResult();
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, id)).State);
        Assert.DoesNotContain(Logs.Messages, m => m.Contains("Lost the lease", StringComparison.Ordinal));
        Assert.Equal(1, Probe.Runs[id]);
    }

    [Fact]
    public async Task AFullCompletionBuffer_PausesClaiming_UntilOutcomesAreStored()
    {
        CompletionGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (_, tasks) = await StartAsync(o =>
        {
            o.Concurrency = 4;
            o.MaxPendingCompletions = 3;
        });
        var ids = new List<long>();
        for (var i = 0; i < 6; i++) ids.Add((await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id);
        await Eventually.WithinAsync(CompletionWriteEntered.Task, because: "the completion write to be entered");
        await Eventually.UntilAsync(() => Probe.Runs.Count >= 3, because: "three attempts to run");

        // Three outcomes wait to be written and the buffer holds three: nothing more is claimed, however many slots are free.
        var available = (await tasks.ListAsync(new TaskQuery { State = TaskState.Available })).Items;
        Assert.Equal(3, Probe.Runs.Count);
        Assert.Equal(3, available.Count);

        CompletionGate.SetResult();
        foreach (var id in ids) Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, id)).State);
        Assert.All(ids, id => Assert.Equal(1, Probe.Runs[id]));
    }

    [Fact]
    public async Task ShortAttempts_PrefetchBeyondTheFreeSlots_AndShutdownHandsThePrefetchedBackUnspent()
    {
        var (host, tasks) = await StartAsync(o =>
        {
            o.Concurrency = 1;
            o.MaxPrefetch = 5;
            o.ClaimCooldown = TimeSpan.FromMilliseconds(1);
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        });
        // Short attempts teach the executor that prefetching pays.
        for (var i = 0; i < 20; i++) await WaitFinishedAsync(tasks, (await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed))).Id);

        var blocked = new List<long>();
        for (var i = 0; i < 4; i++) blocked.Add((await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id);
        // One executes; the others are claimed (running, leased to this node) and wait here for the slot.
        var running = await Eventually.UntilAsync(
            async () => (await tasks.ListAsync(new TaskQuery { State = TaskState.Running })).Items,
            r => r.Count >= 4,
            because: "four tasks claimed");
        Assert.Equal(4, running.Count);
        Assert.Single(blocked, id => Probe.Runs.ContainsKey(id));

        await host.StopAsync();

        foreach (var id in blocked)
        {
            var back = (await LastStore!.Tasks.GetAsync(id))!;
            Assert.Equal(TaskState.Available, back.State);
            Assert.Equal(0, back.Attempt);
            Assert.Null(back.LeaseToken);
        }
    }

    [Fact]
    public async Task AWaitingTask_RunsOnlyOnceReleased_AndTheReleaseWakesTheWorkers()
    {
        var (_, tasks) = await StartAsync(o => o.PollInterval = TimeSpan.FromMinutes(10));
        var waiting = await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed), new SubmitOptions { Waiting = true, Owner = "workflow:9/step" });
        var marker = await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed));
        await WaitFinishedAsync(tasks, marker.Id);

        // The engine claimed around it: the waiting task is still waiting, never started.
        Assert.Equal(TaskState.Waiting, (await tasks.GetAsync(waiting.Id))!.State);
        Assert.False(Probe.Runs.ContainsKey(waiting.Id));

        // Released, it runs at once: the poll interval is ten minutes, so only the release's wake-up can start it.
        Assert.Equal(1, await tasks.ReleaseAsync([waiting.Id]));
        var done = await WaitFinishedAsync(tasks, waiting.Id);
        Assert.Equal((TaskState.Succeeded, "workflow:9/step"), (done.State, done.Owner));
    }

    [Fact]
    public async Task SubmitOptions_Owner_IsValidated()
    {
        var (_, tasks) = await StartAsync(o => o.RunWorkers = false);
        var error = await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Succeed), new SubmitOptions { Owner = new string('x', 201) }));
        Assert.Equal("owner", error.Field);
    }

    [Fact]
    public async Task SeveralClaimLoops_NeverRunMoreThanTheConcurrencyAtOnce()
    {
        var (_, tasks) = await StartAsync(o =>
        {
            o.Concurrency = 3;
            o.ClaimLoops = 4;
            o.ClaimBatchSize = 2;
        });
        var ids = new List<long>();
        for (var i = 0; i < 8; i++) ids.Add((await tasks.SubmitJsonAsync("test.probe", Args(ProbeMode.Block))).Id);

        await Eventually.UntilAsync(() => Probe.Runs.Count >= 3, because: "three attempts to start");
        var running = (await tasks.ListAsync(new TaskQuery { State = TaskState.Running })).Items;

        Assert.Equal(3, Probe.Runs.Count);
        Assert.Equal(3, running.Count);
        Probe.Gate.SetResult();
        foreach (var id in ids) Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, id)).State);
    }

    [Fact]
    public async Task BadSubmits_AreRefusedWithTheFieldNamed_AndStoreNothing()
    {
        var (_, tasks) = await StartAsync(o => o.RunWorkers = false);
        var existing = (await tasks.SubmitAsync("test.probe", new ProbeArgs { Value = "kept" })).Id;

        var unknown = await Assert.ThrowsAsync<UnknownPluginException>(() => tasks.SubmitJsonAsync("no.such.plugin", "{}"));
        Assert.Contains("no.such.plugin", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("test.probe", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("args", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "{not json"))).Field);
        Assert.Equal("args", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "[1,2]"))).Field);
        Assert.Equal("args.failTimes", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", """{"failTimes":"many"}"""))).Field);
        Assert.Equal("args.failTimes", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", """{"failTimes":1000}"""))).Field);
        Assert.Equal("args.mode", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", """{"mode":"explode"}"""))).Field);
        Assert.Contains("colour", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", """{"colour":"red"}"""))).Message, StringComparison.Ordinal);
        Assert.Equal("maxAttempts", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "{}", new SubmitOptions { MaxAttempts = 0 }))).Field);
        Assert.Equal("maxAttempts", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "{}", new SubmitOptions { MaxAttempts = -3 }))).Field);
        Assert.Equal("queue", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "{}", new SubmitOptions { Queue = "x'; DROP TABLE nexus_tasks; --" }))).Field);
        Assert.Equal("delay", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "{}", new SubmitOptions { Delay = TimeSpan.FromSeconds(-1) }))).Field);
        Assert.Equal("retry.multiplier", (await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitJsonAsync("test.probe", "{}", new SubmitOptions { Retry = new RetryPolicy { Multiplier = 0.5 } }))).Field);
        var batch = await Assert.ThrowsAsync<TaskValidationException>(() => tasks.SubmitManyAsync([new TaskRequest("test.probe", "{}"), new TaskRequest("test.probe", """{"failTimes":-1}""")]));
        Assert.Equal("tasks[1].args.failTimes", batch.Field);

        var page = await tasks.ListAsync(new TaskQuery());
        Assert.Equal([existing], page.Items.Select(t => t.Id));
        Assert.Contains("kept", page.Items[0].ArgsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitMany_StoresAllInOrder_AndUniqueKeysDeduplicate()
    {
        var (_, tasks) = await StartAsync(o => o.RunWorkers = false);

        var results = await tasks.SubmitManyAsync([
            new TaskRequest("test.probe", "{}", new SubmitOptions { UniqueKey = "u1", Tags = ["batch"] }),
            new TaskRequest("test.probe", "{}", new SubmitOptions { Queue = "other", Delay = TimeSpan.FromHours(1) }),
            new TaskRequest("test.probe", "{}", new SubmitOptions { UniqueKey = "u1" }),
        ]);
        var again = await tasks.SubmitJsonAsync("test.probe", "{}", new SubmitOptions { UniqueKey = "u1" });

        Assert.Equal([true, true, false], results.Select(r => r.Created));
        Assert.Equal(results[0].Id, results[2].Id);
        Assert.Equal(results[0].Id, again.Id);
        Assert.False(again.Created);
        var scheduled = (await tasks.GetAsync(results[1].Id))!;
        Assert.Equal(TaskState.Scheduled, scheduled.State);
        Assert.Equal("other", scheduled.Queue);
        Assert.Equal(["batch"], (await tasks.GetAsync(results[0].Id))!.Tags);
    }
}
