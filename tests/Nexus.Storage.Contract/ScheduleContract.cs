using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Scheduling;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Schedules on the driver under test: the scheduler's ticks driven by hand on a fake clock (no workers, so a
/// fired task stays unfinished until the test finishes it), fires once per slot, misfire and overlap policies, pause
/// and resume, history, and the store refusing a second decision of one slot.</summary>
public abstract class ScheduleContract : EngineHarness
{
    private static readonly DateTimeOffset Start = new(2030, 6, 3, 10, 0, 0, TimeSpan.Zero);

    private sealed record Node(INexusSchedules Api, Scheduler Scheduler, INexusTasks Tasks, INexusStore Store, FakeTimeProvider Clock, IServiceProvider Services)
    {
        public Task TickAsync() => Scheduler.TickAsync(CancellationToken.None);
    }

    private async Task<Node> StartNodeAsync(FakeTimeProvider? clock = null, string node = "node-1", Action<IServiceCollection>? services = null)
    {
        clock ??= new FakeTimeProvider(Start);
        var (host, tasks) = await StartAsync(o => o.RunWorkers = false, clock, services);
        var sp = host.Services;
        var options = sp.GetRequiredService<IOptions<NexusOptions>>().Value;
        var nodeOptions = new NexusOptions { NodeId = node, MisfireThreshold = options.MisfireThreshold, SchedulerInterval = options.SchedulerInterval };
        var scheduler = new Scheduler(sp.GetRequiredService<INexusStore>(), sp.GetRequiredService<ScheduleService>(), nodeOptions,
            new StoreClock(clock), sp.GetRequiredService<ScheduleMetrics>(), sp.GetRequiredService<WakeSignal>(), NullLogger.Instance);
        return new Node(sp.GetRequiredService<INexusSchedules>(), scheduler, tasks, sp.GetRequiredService<INexusStore>(), clock, sp);
    }

    private static JsonElement TaskTarget(string value = "tick") =>
        JsonSerializer.SerializeToElement(new { task = new { plugin = "test.probe", args = new { value }, queue = "cron" } });

    private static ScheduleSpec Spec(string name, string cron, OverlapPolicy overlap = OverlapPolicy.AllowAll, MisfirePolicy misfire = MisfirePolicy.FireOnce,
        string zone = "UTC", TimeSpan? window = null) => new()
        {
            Name = name,
            Cron = cron,
            TimeZone = zone,
            Target = TaskTarget(),
            Overlap = overlap,
            Misfire = misfire,
            CatchUpWindow = window,
        };

    private static async Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(Node n, string name) =>
        (await n.Api.HistoryAsync(name)).Reverse().ToList();

    private static async Task<List<TaskRecord>> TasksAsync(Node n, string name) =>
        (await n.Tasks.ListAsync(new TaskQuery { Tag = $"schedule:{name}", Limit = 500 })).Items.OrderBy(t => t.Id).ToList();

    [Fact]
    public async Task Put_StoresTheDefinition_WithTheCursorAtNow_AndTheNextSlot()
    {
        var n = await StartNodeAsync();

        var s = await n.Api.PutAsync(Spec("nightly", "30 2 * * *", zone: "Europe/Berlin", overlap: OverlapPolicy.BufferOne) with { Description = "backup" });

        Assert.Equal(("nightly", "30 2 * * *", "Europe/Berlin", "task"), (s.Name, s.Cron, s.TimeZone, s.TargetKind));
        Assert.Equal((OverlapPolicy.BufferOne, MisfirePolicy.FireOnce, "backup"), (s.Overlap, s.Misfire, s.Description));
        Assert.Equal(Start, s.Cursor);
        Assert.Equal(new DateTimeOffset(2030, 6, 4, 0, 30, 0, TimeSpan.Zero), s.NextFireAt); // 02:30 CEST
        Assert.Equal("test.probe", JsonDocument.Parse((await n.Api.GetAsync("nightly"))!.TargetJson).RootElement.GetProperty("plugin").GetString());
        Assert.Equal(["nightly"], (await n.Api.ListAsync()).Select(x => x.Name));
    }

    [Theory]
    [InlineData("bad name!", "* * * * *", """{"task":{"plugin":"test.probe"}}""", "name")]
    [InlineData("ok", "not cron", """{"task":{"plugin":"test.probe"}}""", "cron")]
    [InlineData("ok", "* * * * *", """{"task":{"plugin":"no.such"}}""", "target.task.plugin")]
    [InlineData("ok", "* * * * *", """{"task":{"plugin":"test.probe","args":[1]}}""", "target.task.args")]
    [InlineData("ok", "* * * * *", """{"task":{"plugin":"test.probe"},"event":{}}""", "target")]
    [InlineData("ok", "* * * * *", """{"email":{}}""", "target")]
    [InlineData("ok", "* * * * *", """{"event":{"namespace":"shop"}}""", "target.event.topic")]
    [InlineData("ok", "* * * * *", """{"workflow":{}}""", "target.workflow.name")]
    [InlineData("ok", "* * * * *", """{"event":{"namespace":"Not OK","topic":"report.due"}}""", "target.event.namespace")]
    [InlineData("ok", "* * * * *", """{"event":{"namespace":"shop","topic":"$state.x"}}""", "target.event.topic")]
    [InlineData("ok", "* * * * *", """{"event":{"namespace":"shop","topic":"report.due","priority":"urgent"}}""", "target.event.priority")]
    [InlineData("ok", "* * * * *", """{"event":{"namespace":"shop","topic":"report.due","headers":{"a":1}}}""", "target.event.headers.a")]
    [InlineData("ok", "* * * * *", """{"workflow":{"name":"nightly","input":[1]}}""", "target.workflow.input")]
    public async Task Put_BadInput_NamesTheField_AndStoresNothing(string name, string cron, string target, string field)
    {
        var n = await StartNodeAsync();

        var ex = await Assert.ThrowsAnyAsync<NexusException>(() => n.Api.PutAsync(new ScheduleSpec { Name = name, Cron = cron, Target = JsonDocument.Parse(target).RootElement }));

        Assert.Equal(field, Assert.IsType<TaskValidationException>(ex).Field);
        Assert.Empty(await n.Api.ListAsync());
    }

    [Fact]
    public async Task Tick_FiresEachDueSlotOnce_AsATask_AndRecordsItInTheHistory()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("every10s", "*/10 * * * * *"));

        await n.TickAsync();
        Assert.Empty(await TasksAsync(n, "every10s"));
        n.Clock.Advance(TimeSpan.FromSeconds(10));
        await n.TickAsync();
        await n.TickAsync();
        n.Clock.Advance(TimeSpan.FromSeconds(10));
        await n.TickAsync();

        var tasks = await TasksAsync(n, "every10s");
        var history = await HistoryAsync(n, "every10s");
        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(20)], history.Select(h => h.Slot));
        Assert.All(history, h => Assert.Equal((FireOutcome.Fired, "node-1"), (h.Outcome, h.Node)));
        Assert.Equal(tasks.Select(t => (long?)t.Id), history.Select(h => h.TaskId));
        Assert.All(tasks, t => Assert.Equal(("test.probe", "cron"), (t.Plugin, t.Queue)));
        Assert.Equal("tick", JsonDocument.Parse(tasks[0].ArgsJson).RootElement.GetProperty("value").GetString());
        var s = await n.Api.GetAsync("every10s");
        Assert.Equal((Start.AddSeconds(20), Start.AddSeconds(30), tasks[^1].Id), (s!.Cursor, s.NextFireAt, s.LastTaskId));
    }

    [Fact]
    public async Task ManyNodesTickingAtOnce_FireEachSlotExactlyOnce()
    {
        var clock = new FakeTimeProvider(Start);
        var nodes = new List<Node>();
        for (var i = 0; i < 4; i++) nodes.Add(await StartNodeAsync(clock, $"node-{i}"));
        for (var i = 0; i < 5; i++) await nodes[0].Api.PutAsync(Spec($"race-{i}", "* * * * * *"));

        for (var second = 0; second < 20; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(nodes.Select(n => Task.Run(n.TickAsync)));
        }

        for (var i = 0; i < 5; i++)
        {
            var history = await HistoryAsync(nodes[0], $"race-{i}");
            Assert.Equal(Enumerable.Range(1, 20).Select(s => Start.AddSeconds(s)), history.Select(h => h.Slot));
            Assert.All(history, h => Assert.Equal(FireOutcome.Fired, h.Outcome));
            var tasks = await TasksAsync(nodes[0], $"race-{i}");
            Assert.Equal(20, tasks.Count);
            Assert.Equal(tasks.Select(t => (long?)t.Id).Order(), history.Select(h => h.TaskId).Order());
        }
    }

    [Fact]
    public async Task FireBatch_ForASlotAlreadyDecided_IsRefused_AndItsUnitOfWorkLeavesNoTask()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("once", "* * * * *"));
        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        var before = await TasksAsync(n, "once");
        var slot = Start.AddMinutes(1);
        var task = new Nexus.Storage.NewTask { Plugin = "test.probe", ArgsJson = "{}", Queue = "cron", MaxAttempts = 1, Tags = ["schedule:once"] };

        // The unit of work of a node that read the schedule before the fire: its task, then the fire rows.
        Task<int> StaleFire(DateTimeOffset expected) => n.Store.InTransactionAsync(async (tx, ct) =>
        {
            var id = (await tx.Tasks.InsertAsync(new Nexus.Storage.InsertTasksParams([task]) { Now = n.Clock.GetUtcNow() }, ct))[0].Id;
            await tx.Schedules.FireAsync(new Nexus.Storage.ScheduleFireBatch
            {
                Name = "once", ExpectedCursor = expected, NewCursor = slot, Rows = [new Nexus.Storage.ScheduleFireRow(slot, FireOutcome.Fired) { TaskId = id }], Now = n.Clock.GetUtcNow(),
            }, ct);
            return 0;
        });

        // The cursor it expects and the slot are both taken; with the current cursor, the slot's row is still in the way.
        await Assert.ThrowsAsync<Nexus.Storage.SlotTakenException>(() => StaleFire(Start));
        await Assert.ThrowsAsync<Nexus.Storage.SlotTakenException>(() => StaleFire(slot));

        Assert.Equal(before.Select(t => t.Id), (await TasksAsync(n, "once")).Select(t => t.Id));
        Assert.Single(await HistoryAsync(n, "once"));
    }

    [Fact]
    public async Task Pause_StopsFires_AndResumeAppliesTheMisfirePolicyToTheSlotsMissed()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("minutely", "* * * * *", misfire: MisfirePolicy.Skip));

        var paused = await n.Api.PauseAsync("minutely", "maintenance window");
        Assert.Equal((true, "maintenance window"), (paused!.Paused, paused.PauseReason));
        n.Clock.Advance(TimeSpan.FromMinutes(5));
        await n.TickAsync();
        Assert.Empty(await HistoryAsync(n, "minutely"));

        await n.Api.ResumeAsync("minutely");
        n.Clock.Advance(TimeSpan.FromSeconds(30));
        await n.TickAsync();

        // 10:01–10:04 are more than a minute late: one misfire row for the four; 10:05 is on time and fires.
        var history = await HistoryAsync(n, "minutely");
        Assert.Equal([(Start.AddMinutes(4), FireOutcome.Misfired, 4), (Start.AddMinutes(5), FireOutcome.Fired, 1)], history.Select(h => (h.Slot, h.Outcome, h.Count)));
        Assert.Single(await TasksAsync(n, "minutely"));
    }

    [Fact]
    public async Task Pause_WithAResumeTime_ResumesByItself_AndFireOnceRunsTheLatestMissedSlotOnce()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("hourly", "0 * * * *", misfire: MisfirePolicy.FireOnce));
        await n.Api.PauseAsync("hourly", "freeze", Start.AddHours(3).AddMinutes(30));

        n.Clock.Advance(TimeSpan.FromHours(3));
        await n.TickAsync();
        Assert.True((await n.Api.GetAsync("hourly"))!.Paused);
        n.Clock.Advance(TimeSpan.FromMinutes(30));
        await n.TickAsync();

        var s = await n.Api.GetAsync("hourly");
        Assert.False(s!.Paused);
        Assert.Null(s.PauseReason);
        var history = await HistoryAsync(n, "hourly");
        Assert.Equal([(Start.AddHours(2), FireOutcome.Misfired, 2), (Start.AddHours(3), FireOutcome.Fired, 1)], history.Select(h => (h.Slot, h.Outcome, h.Count)));
    }

    [Fact]
    public async Task FireAll_CatchesUpTheSlotsWithinTheWindow_AndMisfiresOlderOnes()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("catchup", "* * * * *", misfire: MisfirePolicy.FireAll, window: TimeSpan.FromMinutes(3)));

        n.Clock.Advance(TimeSpan.FromMinutes(6).Add(TimeSpan.FromSeconds(10)));
        await n.TickAsync();

        var history = await HistoryAsync(n, "catchup");
        Assert.Equal([(Start.AddMinutes(3), FireOutcome.Misfired, 3), (Start.AddMinutes(4), FireOutcome.Fired, 1), (Start.AddMinutes(5), FireOutcome.Fired, 1), (Start.AddMinutes(6), FireOutcome.Fired, 1)],
            history.Select(h => (h.Slot, h.Outcome, h.Count)));
        Assert.Equal(3, (await TasksAsync(n, "catchup")).Count);
    }

    [Fact]
    public async Task OverlapSkip_SkipsSlotsWhileThePreviousTaskIsUnfinished()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("skipper", "* * * * *", OverlapPolicy.Skip));

        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        var first = Assert.Single(await TasksAsync(n, "skipper"));
        await n.Tasks.CancelAsync(first.Id);
        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();

        Assert.Equal([FireOutcome.Fired, FireOutcome.Skipped, FireOutcome.Fired], (await HistoryAsync(n, "skipper")).Select(h => h.Outcome));
        Assert.Equal(2, (await TasksAsync(n, "skipper")).Count);
    }

    [Fact]
    public async Task OverlapBufferOne_KeepsOneSlot_SkipsTheRest_AndFiresTheBufferedOneWhenThePreviousFinishes()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("buffered", "* * * * *", OverlapPolicy.BufferOne));

        for (var i = 0; i < 3; i++)
        {
            n.Clock.Advance(TimeSpan.FromMinutes(1));
            await n.TickAsync();
        }
        Assert.Equal(Start.AddMinutes(2), (await n.Api.GetAsync("buffered"))!.BufferedSlot);
        await n.TickAsync();
        var first = Assert.Single(await TasksAsync(n, "buffered"));
        await n.Tasks.CancelAsync(first.Id);
        await n.TickAsync();

        var history = await HistoryAsync(n, "buffered");
        Assert.Equal([(Start.AddMinutes(1), FireOutcome.Fired), (Start.AddMinutes(2), FireOutcome.Fired), (Start.AddMinutes(3), FireOutcome.Skipped)], history.Select(h => (h.Slot, h.Outcome)));
        var tasks = await TasksAsync(n, "buffered");
        Assert.Equal(2, tasks.Count);
        Assert.Equal(tasks[1].Id, history[1].TaskId);
        Assert.Null((await n.Api.GetAsync("buffered"))!.BufferedSlot);
    }

    [Fact]
    public async Task OverlapCancelPrevious_CancelsTheUnfinishedTask_AndFires()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("replacer", "* * * * *", OverlapPolicy.CancelPrevious));

        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();

        var tasks = await TasksAsync(n, "replacer");
        Assert.Equal([TaskState.Cancelled, TaskState.Available], tasks.Select(t => t.State));
        var history = await HistoryAsync(n, "replacer");
        Assert.Equal([FireOutcome.Fired, FireOutcome.Fired], history.Select(h => h.Outcome));
        Assert.Contains($"previous task {tasks[0].Id} cancelled", history[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverlapAllowAll_FiresEverySlot_WhateverThePreviousTask()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("all", "* * * * *", OverlapPolicy.AllowAll));

        for (var i = 0; i < 3; i++)
        {
            n.Clock.Advance(TimeSpan.FromMinutes(1));
            await n.TickAsync();
        }

        Assert.Equal(3, (await TasksAsync(n, "all")).Count(t => t.State == TaskState.Available));
    }

    [Fact]
    public async Task NewYorkFallBack_ADailySlotInTheRepeatedHour_FiresOnce()
    {
        // 1 November 2030: 01:30 EDT is 05:30 UTC, and 01:30 EST an hour later.
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 11, 3, 4, 0, 0, TimeSpan.Zero));
        var n = await StartNodeAsync(clock);
        await n.Api.PutAsync(Spec("ny", "30 1 * * *", zone: "America/New_York"));

        for (var i = 0; i < 8; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(30));
            await n.TickAsync();
        }

        var fired = Assert.Single(await HistoryAsync(n, "ny"));
        Assert.Equal(new DateTimeOffset(2030, 11, 3, 5, 30, 0, TimeSpan.Zero), fired.Slot);
        Assert.Single(await TasksAsync(n, "ny"));
    }

    [Fact]
    public async Task BerlinSpringForward_ASlotInTheSkippedHour_FiresAtTheJump()
    {
        // 31 March 2030: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 3, 30, 23, 0, 0, TimeSpan.Zero));
        var n = await StartNodeAsync(clock);
        await n.Api.PutAsync(Spec("berlin", "30 2 * * *", zone: "Europe/Berlin"));

        for (var i = 0; i < 8; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(15));
            await n.TickAsync();
        }

        Assert.Equal(new DateTimeOffset(2030, 3, 31, 1, 0, 0, TimeSpan.Zero), Assert.Single(await HistoryAsync(n, "berlin")).Slot);
    }

    private static JsonElement EventTarget(string ns = "shop") =>
        JsonSerializer.SerializeToElement(new { @event = new { @namespace = ns, topic = "report.due", payload = new { report = "daily" }, key = "r-1", priority = "high" } });

    private static JsonElement WorkflowTarget(string name = "nightly") =>
        JsonSerializer.SerializeToElement(new { workflow = new { name, input = new { word = "scheduled" } } });

    /// <summary>The namespace's log once it holds at least <paramref name="atLeast"/> events: on PostgreSQL an event is
    /// readable only once no older transaction of the cluster runs (other tests' too).</summary>
    private static Task<List<Nexus.Events.EventRecord>> LogAsync(IServiceProvider sp, string ns, int atLeast) =>
        Eventually.UntilAsync(
            async () => (List<Nexus.Events.EventRecord>)[.. (await sp.GetRequiredService<Nexus.Events.INexusEvents>().ReadAsync(ns, Nexus.Events.LogCursor.Start, 100)).Events],
            log => log.Count >= atLeast, because: $"{atLeast} events in the log of '{ns}'", describe: log => $"{log.Count} events");

    private static async Task<List<TaskRecord>> StepTasksAsync(Node n) =>
        [.. (await n.Tasks.ListAsync(new TaskQuery { Limit = 100 })).Items.Where(t => t.Owner?.StartsWith("workflow:", StringComparison.Ordinal) == true)];

    [Fact]
    public async Task EventTarget_AppendsOneEventPerSlot_WithTheSlotsIdempotencyKey_OnEveryNode()
    {
        var n = await StartNodeAsync();
        var other = await StartNodeAsync(n.Clock, "node-2");
        var sp = n.Services;
        await sp.GetRequiredService<Nexus.Events.INexusEvents>().CreateNamespaceAsync("shop");
        await n.Api.PutAsync(new ScheduleSpec { Name = "emit", Cron = "* * * * *", Target = EventTarget() });

        for (var minute = 0; minute < 2; minute++)
        {
            n.Clock.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAll(Task.Run(n.TickAsync), Task.Run(other.TickAsync));
            await n.TickAsync();
        }

        var log = await LogAsync(sp, "shop", atLeast: 2);
        Assert.Equal(2, log.Count);
        Assert.All(log, e => Assert.Equal(("report.due", "r-1", Nexus.Events.EventPriority.High), (e.Topic, e.Key, e.Priority)));
        Assert.Equal("daily", JsonDocument.Parse(log[0].PayloadJson).RootElement.GetProperty("report").GetString());
        var history = await HistoryAsync(n, "emit");
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2)], history.Select(h => h.Slot));
        Assert.All(history, h => Assert.Equal(FireOutcome.Fired, h.Outcome));
        Assert.Equal(log.Select(e => $"event {e.Position}"), history.Select(h => h.Detail));
    }

    [Fact]
    public async Task WorkflowTarget_StartsOneRunPerSlot_WithItsInput_AndItsFirstStepTask()
    {
        var n = await StartNodeAsync();
        var workflows = n.Services.GetRequiredService<Nexus.Workflows.INexusWorkflows>();
        await workflows.RegisterAsync(Nexus.Workflows.WorkflowJson.Parse("""
            {"name":"nightly","steps":[{"id":"a","plugin":"test.probe","args":{"value":"${input.word}"}}]}
            """));
        await n.Api.PutAsync(new ScheduleSpec { Name = "start", Cron = "* * * * *", Target = WorkflowTarget() });

        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        await n.TickAsync();

        var run = Assert.Single((await workflows.ListRunsAsync(new Nexus.Storage.RunQuery { Workflow = "nightly" })).Items);
        Assert.Equal("scheduled", JsonDocument.Parse(run.InputJson).RootElement.GetProperty("word").GetString());
        var fire = Assert.Single(await HistoryAsync(n, "start"));
        Assert.Equal((FireOutcome.Fired, $"run {run.Id}"), (fire.Outcome, fire.Detail));
        var step = Assert.Single(await StepTasksAsync(n));
        Assert.Equal("scheduled", JsonDocument.Parse(step.ArgsJson).RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public async Task TargetsThatCannotRun_AreRecordedFailed_WithTheReason_AndNotRetriedEveryTick()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(new ScheduleSpec { Name = "no-ns", Cron = "* * * * *", Target = EventTarget("nowhere") });
        await n.Api.PutAsync(new ScheduleSpec { Name = "no-wf", Cron = "* * * * *", Target = WorkflowTarget("missing") });

        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        await n.TickAsync();

        var ns = Assert.Single(await HistoryAsync(n, "no-ns"));
        Assert.Equal(FireOutcome.Failed, ns.Outcome);
        Assert.Contains("no namespace 'nowhere'", ns.Detail, StringComparison.Ordinal);
        var wf = Assert.Single(await HistoryAsync(n, "no-wf"));
        Assert.Equal(FireOutcome.Failed, wf.Outcome);
        Assert.Contains("no workflow 'missing'", wf.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventAndWorkflowTargets_RollBackWithTheirSlot_WhenAnotherNodeDecidedItFirst()
    {
        var n = await StartNodeAsync();
        await n.Services.GetRequiredService<Nexus.Events.INexusEvents>().CreateNamespaceAsync("shop");
        var workflows = n.Services.GetRequiredService<Nexus.Workflows.INexusWorkflows>();
        await workflows.RegisterAsync(Nexus.Workflows.WorkflowJson.Parse("""{"name":"nightly","steps":[{"id":"a","plugin":"test.probe"}]}"""));
        await n.Api.PutAsync(new ScheduleSpec { Name = "emit", Cron = "* * * * *", Target = EventTarget() });
        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();
        var handlers = n.Services.GetServices<IScheduleTargetHandler>().ToDictionary(h => h.Kind);
        var slot = Start.AddMinutes(2);

        // A node that read the schedule before the first fire: its targets' writes, then the fire row it expected to make.
        var refused = await Assert.ThrowsAsync<Nexus.Storage.SlotTakenException>(() => n.Store.InTransactionAsync(async (tx, ct) =>
        {
            await handlers[ScheduleTargetKinds.Event].FireAsync(tx, new ScheduleFire("emit", slot, EventTarget().GetProperty("event").GetRawText()), ct);
            await handlers[ScheduleTargetKinds.Workflow].FireAsync(tx, new ScheduleFire("emit", slot, WorkflowTarget().GetProperty("workflow").GetRawText()), ct);
            await tx.Schedules.FireAsync(new Nexus.Storage.ScheduleFireBatch
            {
                Name = "emit", ExpectedCursor = Start, NewCursor = slot, Rows = [new Nexus.Storage.ScheduleFireRow(slot, FireOutcome.Fired)], Now = n.Clock.GetUtcNow(),
            }, ct);
            return 0;
        }));

        Assert.NotNull(refused);
        Assert.Single(await LogAsync(n.Services, "shop", atLeast: 1));
        Assert.Empty((await workflows.ListRunsAsync(new Nexus.Storage.RunQuery { Workflow = "nightly" })).Items);
        Assert.Empty(await StepTasksAsync(n));
    }

    [Fact]
    public async Task AnApplicationsOwnHandler_ReplacesTheBuiltInOne_AndRunsOncePerSlot()
    {
        var handler = new RecordingHandler();
        var wired = await StartNodeAsync(services: s => s.AddSingleton<IScheduleTargetHandler>(handler));
        var target = JsonSerializer.SerializeToElement(new { @event = new { @namespace = "shop", topic = "report.due", payload = new { } } });
        await wired.Api.PutAsync(new ScheduleSpec { Name = "emit", Cron = "* * * * *", Target = target });
        wired.Clock.Advance(TimeSpan.FromMinutes(1));
        await wired.TickAsync();
        await wired.TickAsync();

        var fire = Assert.Single(handler.Fires);
        Assert.Equal(("emit", Start.AddMinutes(1), "schedule:emit:" + Start.AddMinutes(1).ToUnixTimeMilliseconds()), (fire.Schedule, fire.Slot, fire.IdempotencyKey));
        Assert.Equal("report.due", JsonDocument.Parse(fire.TargetJson).RootElement.GetProperty("topic").GetString());
        var last = Assert.Single(await HistoryAsync(wired, "emit"));
        var written = Assert.Single(await TasksAsync(wired, "emit"));
        Assert.Equal((FireOutcome.Fired, $"event {written.Id}"), (last.Outcome, last.Detail));
    }

    [Fact]
    public async Task Delete_RemovesTheScheduleAndItsHistory_ButNotItsTasks()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("gone", "* * * * *"));
        n.Clock.Advance(TimeSpan.FromMinutes(1));
        await n.TickAsync();

        Assert.True(await n.Api.DeleteAsync("gone"));
        Assert.False(await n.Api.DeleteAsync("gone"));
        Assert.Null(await n.Api.GetAsync("gone"));
        Assert.Empty(await n.Api.HistoryAsync("gone"));
        Assert.Single(await TasksAsync(n, "gone"));
    }

    [Fact]
    public async Task Preview_ListsTheNextSlots()
    {
        var n = await StartNodeAsync();
        await n.Api.PutAsync(Spec("preview", "0 */6 * * *"));

        var next = await n.Api.PreviewAsync("preview", 3);

        Assert.Equal([Start.AddHours(2), Start.AddHours(8), Start.AddHours(14)], next!);
        Assert.Null(await n.Api.PreviewAsync("missing", 3));
        Assert.Equal("count", (await Assert.ThrowsAsync<TaskValidationException>(() => n.Api.PreviewAsync("preview", 0))).Field);
    }

    [Fact]
    public async Task Engine_WithTheSchedulerLoop_RunsTheFiredTask_OnTheFakeClock()
    {
        var clock = new FakeTimeProvider(Start);
        var (host, tasks) = await StartAsync(o => o.SchedulerInterval = TimeSpan.FromSeconds(1), clock);
        var api = host.Services.GetRequiredService<INexusSchedules>();
        await api.PutAsync(Spec("live", "*/5 * * * * *"));

        var fired = await Eventually.UntilAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return (await tasks.ListAsync(new TaskQuery { Tag = "schedule:live" })).Items;
        }, items => items.Count > 0, because: "the scheduler loop to fire the schedule");

        var done = await WaitFinishedAsync(tasks, fired[^1].Id);
        Assert.Equal(TaskState.Succeeded, done.State);
    }

    private sealed class RecordingHandler : IScheduleTargetHandler
    {
        public List<ScheduleFire> Fires { get; } = [];
        public string Kind => ScheduleTargetKinds.Event;
        public void Validate(string targetJson) { }
        public async Task<string?> FireAsync(Nexus.Storage.IStoreTransaction transaction, ScheduleFire fire, CancellationToken cancellationToken)
        {
            // Its write joins the slot's unit of work (a stand-in for an event append).
            var made = await transaction.Tasks.InsertAsync(new Nexus.Storage.InsertTasksParams([new Nexus.Storage.NewTask
            {
                Plugin = "test.probe", ArgsJson = "{}", Queue = "events", MaxAttempts = 1, Tags = ["schedule:emit"],
            }]), cancellationToken);
            lock (Fires) Fires.Add(fire);
            return $"event {made[0].Id}";
        }
    }
}
