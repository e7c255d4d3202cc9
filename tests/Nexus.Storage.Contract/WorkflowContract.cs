using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Nexus.Hosting;
using Nexus.Tasks;
using Nexus.Testing;
using Nexus.Workflows;

namespace Nexus.Storage.Contract;

/// <summary>Workflows on the real engine and the driver under test: each step a task, the planner inside the
/// completion's transaction.</summary>
public abstract class WorkflowContract : EngineHarness
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    private async Task<(IHost Host, INexusWorkflows Workflows, INexusTasks Tasks)> StartWorkflowsAsync(TimeProvider? time = null, int concurrency = 8)
    {
        var (host, tasks) = await StartAsync(o => o.Concurrency = concurrency, time);
        return (host, host.Services.GetRequiredService<INexusWorkflows>(), tasks);
    }

    private static async Task<StoredWorkflow> RegisterAsync(INexusWorkflows workflows, string json) =>
        (await workflows.RegisterAsync(WorkflowJson.Parse(json))).Workflow;

    private static Task<WorkflowRun> WaitRunAsync(INexusWorkflows workflows, long runId) =>
        Eventually.WithinAsync(workflows.WaitAsync(runId), RunDeadline, $"run {runId} to finish");

    private static async Task<Dictionary<string, StepRun>> StepsAsync(INexusWorkflows workflows, long runId) =>
        (await workflows.GetRunAsync(runId))!.Steps.ToDictionary(s => s.StepId);

    private static string Value(StepRun step) => JsonDocument.Parse(step.OutputJson!).RootElement.GetProperty("value").GetString()!;

    private static string Step(string id, string value, string? needs = null, string extra = "") =>
        $$"""{"id":"{{id}}","plugin":"test.probe","args":{"value":"{{value}}"}{{(needs is null ? "" : $",\"needs\":[{needs}]")}}{{extra}}}""";

    [Fact]
    public async Task ADiamond_RunsEveryStepOnce_AndTheJoinSeesBothBranches()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"diamond","steps":[
              {{Step("a", "${input.word}")}},
              {{Step("b", "b-${steps.a.output.value}", "\"a\"")}},
              {{Step("c", "c-${steps.a.output.value}", "\"a\"")}},
              {{Step("d", "${steps.b.output.value}+${steps.c.output.value}", "\"b\",\"c\"")}}]}
            """);

        var started = await workflows.StartAsync("diamond", """{"word":"hi"}""");
        var run = await WaitRunAsync(workflows, started.RunId);

        Assert.Equal(RunState.Succeeded, run.State);
        var steps = await StepsAsync(workflows, run.Id);
        Assert.Equal("b-hi+c-hi", Value(steps["d"]));
        Assert.All(steps.Values, s => Assert.Equal(StepState.Succeeded, s.State));
        Assert.Equal(4, Probe.Runs.Count);
        Assert.All(Probe.Runs.Values, n => Assert.Equal(1, n));
        Assert.True(steps["d"].CompletedSeq > Math.Max(steps["b"].CompletedSeq!.Value, steps["c"].CompletedSeq!.Value));
        Assert.Equal("b-hi+c-hi", JsonDocument.Parse(run.OutputJson!).RootElement.GetProperty("d").GetProperty("value").GetString());
    }

    [Fact]
    public async Task AFanOutOfAThousand_JoinsExactlyOnce_WithEveryOutputInItemOrder()
    {
        var (_, workflows, tasks) = await StartWorkflowsAsync(concurrency: 32);
        await RegisterAsync(workflows, """
            {"name":"fan","steps":[
              {"id":"list","kind":"noop","args":{"items":"${input.items}"}},
              {"id":"each","kind":"forEach","items":"${steps.list.output.items}","plugin":"test.probe","args":{"value":"v${item}"},"maxParallel":250,"needs":["list"]},
              {"id":"join","plugin":"test.probe","args":{"value":"joined"},"needs":["each"]},
              {"id":"all","kind":"noop","args":{"outputs":"${steps.each.output}"},"needs":["join"]}]}
            """);
        var input = JsonSerializer.Serialize(new { items = Enumerable.Range(0, 1000).ToArray() });

        var run = await WaitRunAsync(workflows, (await workflows.StartAsync("fan", input)).RunId);

        Assert.Equal(RunState.Succeeded, run.State);
        var steps = await StepsAsync(workflows, run.Id);
        var outputs = JsonDocument.Parse(steps["all"].OutputJson!).RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("value").GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"v{i}"), outputs);
        Assert.Equal((1000, 1000, 1000), (steps["each"].ItemCount, steps["each"].ItemsDone, steps["each"].ItemsReleased));
        var joins = await tasks.ListAsync(new TaskQuery { Limit = 1000 });
        Assert.Single(joins.Items, t => t.Owner == $"workflow:{run.Id}/join");
        Assert.Equal(1001, Probe.Runs.Count);
        Assert.All(Probe.Runs.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task AForEach_NeverRunsMoreThanMaxParallelItemsAtOnce()
    {
        var (_, workflows, tasks) = await StartWorkflowsAsync(concurrency: 16);
        await RegisterAsync(workflows, """
            {"name":"narrow","steps":[
              {"id":"each","kind":"forEach","items":"${input.items}","plugin":"test.probe","args":{"mode":"block","value":"i${item}"},"maxParallel":3}]}
            """);
        var runId = (await workflows.StartAsync("narrow", """{"items":[1,2,3,4,5,6,7,8]}""")).RunId;

        await Eventually.UntilAsync(() => Probe.Runs.Count == 3, because: "three items to start");
        var items = await workflows.GetItemsAsync(runId, "each");
        Assert.Equal(3, items.Count(i => i.State == StepState.Running));
        Assert.Equal(5, items.Count(i => i.State == StepState.Pending));
        Assert.Equal(3, (await tasks.ListAsync(new TaskQuery { Limit = 100 })).Items.Count(t => t.Owner?.StartsWith($"workflow:{runId}/each#", StringComparison.Ordinal) == true));

        Probe.Gate.TrySetResult();
        var run = await WaitRunAsync(workflows, runId);
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(8, Probe.Runs.Count);
    }

    [Fact]
    public async Task Conditions_RunTheMatchingBranch_AndSkipTheOther()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"branch","steps":[
              {{Step("check", "size ${input.size}")}},
              {{Step("big", "big", "\"check\"", ",\"if\":{\"input.size\":{\"$gte\":100}}")}},
              {{Step("small", "small", "\"check\"", ",\"if\":{\"$not\":{\"input.size\":{\"$gte\":100}}}")}},
              {"id":"after","kind":"noop","needs":["big","small"]}]}
            """);

        var large = await WaitRunAsync(workflows, (await workflows.StartAsync("branch", """{"size":500}""")).RunId);
        var tiny = await WaitRunAsync(workflows, (await workflows.StartAsync("branch", """{"size":5}""")).RunId);

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (large.State, tiny.State));
        var l = await StepsAsync(workflows, large.Id);
        var t = await StepsAsync(workflows, tiny.Id);
        Assert.Equal((StepState.Succeeded, StepState.Skipped, StepState.Succeeded), (l["big"].State, l["small"].State, l["after"].State));
        Assert.Equal((StepState.Skipped, StepState.Succeeded, StepState.Succeeded), (t["big"].State, t["small"].State, t["after"].State));
        Assert.Null(l["small"].TaskId);
    }

    [Fact]
    public async Task AFailedRun_CompensatesItsCompletedSteps_InReverseCompletionOrder()
    {
        var (_, workflows, tasks) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"saga","steps":[
              {{Step("book", "book", null, ",\"compensate\":{\"plugin\":\"test.probe\",\"args\":{\"value\":\"undo-${output.value}\"}}")}},
              {{Step("pay", "pay", "\"book\"", ",\"compensate\":{\"plugin\":\"test.probe\",\"args\":{\"value\":\"undo-${output.value}\"}}")}},
              {{Step("log", "log", "\"pay\"")}},
              {"id":"ship","plugin":"test.probe","args":{"mode":"permanent"},"needs":["log"]}]}
            """);

        var run = await WaitRunAsync(workflows, (await workflows.StartAsync("saga")).RunId);

        Assert.Equal(RunState.Compensated, run.State);
        Assert.Contains("step 'ship' failed", run.Error, StringComparison.Ordinal);
        var steps = await StepsAsync(workflows, run.Id);
        Assert.Equal((CompensationState.Succeeded, CompensationState.Succeeded, null), (steps["book"].Compensation, steps["pay"].Compensation, steps["log"].Compensation));
        Assert.Equal(StepState.Failed, steps["ship"].State);
        var values = new List<string>();
        foreach (var id in Probe.StartOrder)
        {
            var task = await tasks.GetAsync(id);
            values.Add(JsonDocument.Parse(task!.ArgsJson).RootElement.TryGetProperty("value", out var v) ? v.GetString()! : "ship");
        }
        Assert.Equal(["book", "pay", "log", "ship", "undo-pay", "undo-book"], values);
        Assert.Equal($"workflow:{run.Id}/pay!compensate", (await tasks.GetAsync(steps["pay"].CompensationTaskId!.Value))!.Owner);
    }

    [Fact]
    public async Task AFailingCompensation_EndsTheRunCompensationFailed_AndTheEarlierOnesDoNotRun()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"saga2","steps":[
              {{Step("a", "a", null, ",\"compensate\":{\"plugin\":\"test.probe\",\"args\":{\"value\":\"undo-a\"}}")}},
              {{Step("b", "b", "\"a\"", ",\"compensate\":{\"plugin\":\"test.probe\",\"args\":{\"mode\":\"permanent\"},\"maxAttempts\":2}")}},
              {"id":"boom","kind":"fail","message":"no stock","needs":["b"]}]}
            """);

        var run = await WaitRunAsync(workflows, (await workflows.StartAsync("saga2")).RunId);

        Assert.Equal(RunState.CompensationFailed, run.State);
        var steps = await StepsAsync(workflows, run.Id);
        Assert.Equal(CompensationState.Failed, steps["b"].Compensation);
        Assert.Equal(CompensationState.Pending, steps["a"].Compensation);
        Assert.Equal("no stock", steps["boom"].Error);
        Assert.DoesNotContain("undo-a", Probe.RunsByValue.Keys);
    }

    [Fact]
    public async Task Cancel_ReachesTheRunningStepThroughItsToken_AndReleasesNothingMore()
    {
        var (_, workflows, tasks) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"cancel","steps":[{"id":"slow","plugin":"test.probe","args":{"mode":"block"} },{{Step("next", "next", "\"slow\"")}}]}
            """);
        var runId = (await workflows.StartAsync("cancel")).RunId;
        var slow = await Eventually.UntilAsync(async () => (await StepsAsync(workflows, runId))["slow"].TaskId, id => id is not null, because: "the slow step's task");
        await WaitStartedAsync(Probe, slow!.Value);

        Assert.Equal(RunAction.Done, await workflows.CancelAsync(runId));

        var task = await WaitFinishedAsync(tasks, slow.Value);
        Assert.Equal(TaskState.Cancelled, task.State);
        var run = await workflows.WaitAsync(runId);
        Assert.Equal(RunState.Cancelled, run.State);
        var steps = await StepsAsync(workflows, runId);
        Assert.Equal((StepState.Cancelled, StepState.Pending), (steps["slow"].State, steps["next"].State));
        Assert.Equal(RunAction.NotApplicable, await workflows.CancelAsync(runId));
        Assert.Equal(RunAction.NotFound, await workflows.CancelAsync(999_999));
    }

    [Fact]
    public async Task APausedRun_LetsRunningStepsFinish_AndReleasesTheNextOnlyOnResume()
    {
        var (_, workflows, tasks) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"pause","steps":[{"id":"first","plugin":"test.probe","args":{"mode":"block","value":"first"} },{{Step("second", "second", "\"first\"")}}]}
            """);
        var runId = (await workflows.StartAsync("pause")).RunId;
        var first = await Eventually.UntilAsync(async () => (await StepsAsync(workflows, runId))["first"].TaskId, id => id is not null, because: "the first step's task");
        await WaitStartedAsync(Probe, first!.Value);

        Assert.Equal(RunAction.Done, await workflows.PauseAsync(runId));
        Probe.Gate.TrySetResult();
        await WaitFinishedAsync(tasks, first.Value);
        var paused = await workflows.GetRunAsync(runId);
        Assert.True(paused!.Run.Paused);
        Assert.Equal(RunState.Running, paused.Run.State);
        Assert.Equal((StepState.Succeeded, StepState.Pending), (paused.Steps[0].State, paused.Steps[1].State));
        Assert.Null(paused.Steps[1].TaskId);

        Assert.Equal(RunAction.Done, await workflows.ResumeAsync(runId));
        var run = await WaitRunAsync(workflows, runId);
        Assert.Equal(RunState.Succeeded, run.State);
        Assert.False(run.Paused);
    }

    [Fact]
    public async Task ARun_IsPinnedToTheVersionItStartedWith()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        var v1 = await RegisterAsync(workflows, """{"name":"pinned","steps":[{"id":"gate","plugin":"test.probe","args":{"mode":"block"}},{"id":"out","kind":"noop","args":{"v":1},"needs":["gate"]}]}""");
        var runId = (await workflows.StartAsync("pinned")).RunId;
        var v2 = await RegisterAsync(workflows, """{"name":"pinned","steps":[{"id":"gate","plugin":"test.probe","args":{"mode":"block"}},{"id":"out","kind":"noop","args":{"v":2},"needs":["gate"]}]}""");
        var same = await workflows.RegisterAsync(WorkflowJson.Parse(v2.DefinitionJson));

        Assert.Equal((1, 2, 2, false), (v1.Version, v2.Version, same.Workflow.Version, same.Created));
        Probe.Gate.TrySetResult();
        var run = await WaitRunAsync(workflows, runId);
        Assert.Equal((1, """{"out":{"v":1}}"""), (run.Version, run.OutputJson));
        var later = await WaitRunAsync(workflows, (await workflows.StartAsync("pinned")).RunId);
        Assert.Equal((2, """{"out":{"v":2}}"""), (later.Version, later.OutputJson));
        Assert.Equal(2, (await workflows.VersionsAsync("pinned")).Count);
    }

    [Fact]
    public async Task AStartWithAnIdempotencyKey_ReturnsTheSameRunTheSecondTime()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, """{"name":"once","steps":[{"id":"a","kind":"noop"}]}""");

        var first = await workflows.StartAsync("once", null, new StartRunOptions { IdempotencyKey = "order-7" });
        var second = await workflows.StartAsync("once", null, new StartRunOptions { IdempotencyKey = "order-7" });
        var other = await workflows.StartAsync("once", null, new StartRunOptions { IdempotencyKey = "order-8" });

        Assert.Equal((true, false, first.RunId), (first.Created, second.Created, second.RunId));
        Assert.NotEqual(first.RunId, other.RunId);
        Assert.Equal(2, (await workflows.ListRunsAsync(new RunQuery { Workflow = "once" })).Items.Count);
    }

    [Fact]
    public async Task RetryingAFailedRun_RerunsOnlyItsFailedSteps()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""
            {"name":"flaky","steps":[{{Step("ok", "ok")}},{"id":"flaky","plugin":"test.probe","args":{"mode":"failFirstRuns","failTimes":1,"value":"flaky"},"maxAttempts":1,"needs":["ok"]}]}
            """);
        var runId = (await workflows.StartAsync("flaky")).RunId;
        var failed = await WaitRunAsync(workflows, runId);
        Assert.Equal(RunState.Failed, failed.State);

        Assert.Equal(RunAction.Done, await workflows.RetryAsync(runId));
        var run = await WaitRunAsync(workflows, runId);

        Assert.Equal(RunState.Succeeded, run.State);
        var ok = (await StepsAsync(workflows, runId))["ok"];
        Assert.Equal((1, 2, 3), (Probe.Runs[ok.TaskId!.Value], Probe.RunsByValue["flaky"], Probe.Runs.Count));
        Assert.Equal(RunAction.NotApplicable, await workflows.RetryAsync(runId));
    }

    [Fact]
    public async Task ADurableSleep_WaitsForTheClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var (host, workflows, tasks) = await StartWorkflowsAsync(clock);
        await RegisterAsync(workflows, """{"name":"nap","steps":[{"id":"nap","kind":"sleep","seconds":3600},{"id":"after","kind":"noop","needs":["nap"]}]}""");
        var runId = (await workflows.StartAsync("nap")).RunId;
        var timer = (await StepsAsync(workflows, runId))["nap"].TaskId!.Value;

        var scheduled = await tasks.GetAsync(timer);
        Assert.Equal((TaskState.Scheduled, clock.GetUtcNow().AddHours(1)), (scheduled!.State, scheduled.RunAt));
        Assert.Equal(RunState.Running, (await workflows.GetRunAsync(runId))!.Run.State);

        clock.Advance(TimeSpan.FromHours(1));
        host.Services.GetRequiredService<INexusTaskSignals>().Wake();
        var run = await WaitRunAsync(workflows, runId);
        Assert.Equal(RunState.Succeeded, run.State);
    }

    [Fact]
    public async Task AWaitForASignal_SucceedsWithItsPayload_OrFailsAtItsTimeout()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var (host, workflows, _) = await StartWorkflowsAsync(clock);
        await RegisterAsync(workflows, """
            {"name":"approve","steps":[{"id":"wait","kind":"waitForEvent","signal":"approved","filter":{"by":{"$exists":true}},"timeoutSeconds":60},
              {"id":"after","kind":"noop","args":{"by":"${steps.wait.output.by}"},"needs":["wait"]}]}
            """);
        var signalled = (await workflows.StartAsync("approve")).RunId;
        var timedOut = (await workflows.StartAsync("approve")).RunId;

        Assert.Equal(RunAction.NotApplicable, await workflows.SignalAsync(signalled, "rejected", "{}"));
        Assert.Equal(RunAction.NotApplicable, await workflows.SignalAsync(signalled, "approved", """{"nobody":1}"""));
        Assert.Equal(RunAction.Done, await workflows.SignalAsync(signalled, "approved", """{"by":"ann"}"""));
        var ok = await WaitRunAsync(workflows, signalled);
        Assert.Equal((RunState.Succeeded, """{"after":{"by":"ann"}}"""), (ok.State, ok.OutputJson));

        clock.Advance(TimeSpan.FromSeconds(61));
        host.Services.GetRequiredService<INexusTaskSignals>().Wake();
        var late = await WaitRunAsync(workflows, timedOut);
        Assert.Equal(RunState.Failed, late.State);
        Assert.Contains("timed out", (await StepsAsync(workflows, timedOut))["wait"].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChildWorkflowStep_WaitsForTheChildRun_AndTakesItsOutput()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();
        await RegisterAsync(workflows, $$"""{"name":"child","steps":[{{Step("work", "child-${input.n}")}}]}""");
        await RegisterAsync(workflows, """
            {"name":"parent","steps":[{"id":"sub","kind":"workflow","workflow":"child","input":{"n":"${input.n}"}},
              {"id":"after","kind":"noop","args":{"got":"${steps.sub.output.work.value}"},"needs":["sub"]}]}
            """);

        var run = await WaitRunAsync(workflows, (await workflows.StartAsync("parent", """{"n":7}""")).RunId);

        Assert.Equal((RunState.Succeeded, """{"after":{"got":"child-7"}}"""), (run.State, run.OutputJson));
        var sub = (await StepsAsync(workflows, run.Id))["sub"];
        var child = await workflows.GetRunAsync(sub.ChildRunId!.Value);
        Assert.Equal(("child", run.Id, "sub", RunState.Succeeded), (child!.Run.Workflow, child.Run.ParentRunId, child.Run.ParentStepId, child.Run.State));
    }

    [Fact]
    public async Task Registration_RefusesAnInvalidDefinition_NamingWhatIsWrong()
    {
        var (_, workflows, _) = await StartWorkflowsAsync();

        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => workflows.RegisterAsync(WorkflowJson.Parse("""{"name":"bad","steps":[{"id":"a","plugin":"no.such"}]}""")));
        Assert.Equal("steps[0].plugin", ex.Field);
        var args = await Assert.ThrowsAsync<TaskValidationException>(() => workflows.RegisterAsync(WorkflowJson.Parse("""{"name":"bad","steps":[{"id":"a","plugin":"test.probe","args":{"failTimes":1000}}]}""")));
        Assert.StartsWith("steps[0].args.failTimes", args.Field, StringComparison.Ordinal);
        Assert.Empty(await workflows.ListAsync());
        await Assert.ThrowsAsync<UnknownWorkflowException>(() => workflows.StartAsync("bad"));
    }
}
