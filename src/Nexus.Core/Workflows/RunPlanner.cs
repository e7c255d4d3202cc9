using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>
/// The rules of a run, as functions of its loaded rows (<see cref="RunContext"/>) and one event: which steps become
/// ready, skipped, succeeded or failed, when the run ends, and the saga's compensations. It reads and writes only
/// the context; the coordinator stores what it decided in the same transaction as the event.
/// </summary>
internal static class RunPlanner
{
    /// <summary>The plugin of sleep and timeout timers: a task that does nothing, scheduled at the wake-up time.</summary>
    public const string TimerPlugin = "workflow.timer";

    public static async Task<bool> ApplyAsync(RunContext c, RunEvent e)
    {
        switch (e)
        {
            case RunStarted:
                foreach (var step in c.Definition.Steps)
                {
                    if (!c.Steps.ContainsKey(step.Id)) c.Save(new StepRun { RunId = c.Run.Id, StepId = step.Id, State = StepState.Pending });
                }
                c.RunChanged = true;
                c.Measures.Add(new WorkflowMeasure(MeasureKind.RunStarted, c.Run.Workflow));
                await AdvanceAsync(c).ConfigureAwait(false);
                return true;
            case StepTaskChanged t:
                await OnTaskAsync(c, t).ConfigureAwait(false);
                return true;
            case RunCancelRequested cancel:
                if (c.Run.State.IsFinal()) return false;
                await StopStepsAsync(c, includeCompensations: true).ConfigureAwait(false);
                Finish(c, RunState.Cancelled, error: cancel.Reason);
                return true;
            case RunPauseChanged pause:
                if (c.Run.State.IsFinal() || c.Run.Paused == pause.Paused) return false;
                c.SetRun(c.Run with { Paused = pause.Paused });
                if (!pause.Paused) await AdvanceAsync(c, topUpItems: true).ConfigureAwait(false);
                return true;
            case RunRetryRequested:
                return await RetryAsync(c).ConfigureAwait(false);
            case RunSignalled signal:
                return await SignalAsync(c, signal).ConfigureAwait(false);
            case ChildRunFinished child:
                if (c.Steps.GetValueOrDefault(child.StepId) is not { State: StepState.Waiting } row || row.ChildRunId != child.ChildRunId) return false;
                if (child.ChildState == RunState.Succeeded) await CompleteAsync(c, row, child.OutputJson ?? "{}").ConfigureAwait(false);
                else await FailStepAsync(c, row, $"child run {child.ChildRunId} ended {child.ChildState.ToName()}{(child.Error is null ? "" : ": " + child.Error)}").ConfigureAwait(false);
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(e), e, "Unknown run event.");
        }
    }

    private static async Task OnTaskAsync(RunContext c, StepTaskChanged t)
    {
        if (!c.Steps.TryGetValue(t.Owner.StepId, out var row)) return;
        var error = t.Error ?? "the task failed";
        switch (t.Owner.Role)
        {
            case StepTaskRole.Timeout:
                if (row.State == StepState.Waiting && row.TaskId == t.TaskId && t.State == TaskState.Succeeded)
                {
                    var step = c.Graph[row.StepId];
                    await FailStepAsync(c, row, $"timed out after {step.TimeoutSeconds?.ToString(CultureInfo.InvariantCulture)} s waiting for signal '{step.Signal}'").ConfigureAwait(false);
                }
                return;
            case StepTaskRole.Compensate:
                if (row.CompensationTaskId != t.TaskId || row.Compensation != CompensationState.Running) return;
                if (t.State == TaskState.Succeeded)
                {
                    c.Save(row with { Compensation = CompensationState.Succeeded });
                    NextCompensation(c);
                }
                else if (t.State is TaskState.Dead or TaskState.Cancelled)
                {
                    c.Save(row with { Compensation = CompensationState.Failed, CompensationError = t.State == TaskState.Cancelled ? "cancelled" : error });
                    if (c.Run.State == RunState.Compensating) Finish(c, RunState.CompensationFailed, $"the compensation of step '{row.StepId}' failed: {error}");
                }
                return;
        }
        if (t.Owner.Item >= 0)
        {
            await OnItemAsync(c, row, t, error).ConfigureAwait(false);
            return;
        }
        if (row.TaskId != t.TaskId) return; // a task replaced by a retry of the run
        switch (t.State)
        {
            case TaskState.Succeeded when row.State is StepState.Running or StepState.Cancelled:
                var kind = c.Graph[row.StepId].Kind;
                await CompleteAsync(c, row with { Attempt = t.Attempt }, kind == StepKind.Sleep ? "{}" : t.ResultJson ?? "null").ConfigureAwait(false);
                break;
            case TaskState.Dead when row.State == StepState.Running:
                await FailStepAsync(c, row with { Attempt = t.Attempt }, error).ConfigureAwait(false);
                break;
            case TaskState.Cancelled when row.State == StepState.Running:
                if (c.Run.State == RunState.Running) await FailStepAsync(c, row, "its task was cancelled").ConfigureAwait(false);
                else c.Save(row with { State = StepState.Cancelled, FinishedAt = c.Now });
                break;
            case TaskState.Available or TaskState.Retrying or TaskState.Running or TaskState.Scheduled:
                if (row.State == StepState.Failed)
                {
                    // An operator retried the dead task by hand: the step, and a failed run, run again.
                    c.Save(row with { State = StepState.Running, Attempt = t.Attempt, Error = null, FinishedAt = null });
                    if (c.Run.State == RunState.Failed) c.SetRun(c.Run with { State = RunState.Running, Error = null, FinishedAt = null });
                }
                else if (row.State == StepState.Running && row.Attempt != t.Attempt)
                {
                    c.Save(row with { Attempt = t.Attempt });
                }
                break;
        }
    }

    private static async Task OnItemAsync(RunContext c, StepRun row, StepTaskChanged t, string error)
    {
        var items = await c.ItemsAsync(row.StepId).ConfigureAwait(false);
        if (t.Owner.Item >= items.Count) return;
        var item = items[t.Owner.Item];
        if (item.TaskId != t.TaskId || item.State != StepState.Running) return;
        switch (t.State)
        {
            case TaskState.Succeeded:
                c.Save(item with { State = StepState.Succeeded, OutputJson = t.ResultJson ?? "null", Attempt = t.Attempt, FinishedAt = c.Now });
                row = row with { ItemsDone = row.ItemsDone + 1 };
                c.Save(row);
                if (row.State != StepState.Running) return;
                if (row.ItemsDone == row.ItemCount)
                {
                    // The join: every item's output, in item order, exactly once (this event is the last item's).
                    var outputs = new JsonArray();
                    foreach (var i in items) outputs.Add(i.OutputJson is null ? null : JsonNode.Parse(i.OutputJson));
                    await CompleteAsync(c, row, outputs.ToJsonString()).ConfigureAwait(false);
                }
                else if (c.Run.State == RunState.Running && !c.Run.Paused)
                {
                    await ReleaseItemsAsync(c, c.Graph[row.StepId], row).ConfigureAwait(false);
                }
                return;
            case TaskState.Dead:
            case TaskState.Cancelled:
                c.Save(item with { State = t.State == TaskState.Dead ? StepState.Failed : StepState.Cancelled, Error = t.State == TaskState.Dead ? error : "cancelled", Attempt = t.Attempt, FinishedAt = c.Now });
                if (row.State == StepState.Running && c.Run.State == RunState.Running)
                {
                    await FailStepAsync(c, row, $"item {t.Owner.Item}: {(t.State == TaskState.Dead ? error : "its task was cancelled")}").ConfigureAwait(false);
                }
                return;
            default:
                if (item.Attempt != t.Attempt) c.Save(item with { Attempt = t.Attempt });
                return;
        }
    }

    /// <summary>Releases every pending step whose needs are met (skipping those whose condition fails, which may
    /// free more), then ends the run when every step is done.</summary>
    public static async Task AdvanceAsync(RunContext c, bool topUpItems = false)
    {
        if (c.Run.State != RunState.Running || c.Run.Paused) return;
        if (topUpItems)
        {
            foreach (var step in c.Definition.Steps)
            {
                if (step.Kind == StepKind.ForEach && c.Steps[step.Id] is { State: StepState.Running } row) await ReleaseItemsAsync(c, step, row).ConfigureAwait(false);
            }
        }
        bool changed;
        do
        {
            changed = false;
            foreach (var step in c.Definition.Steps)
            {
                if (c.Run.State != RunState.Running) return;
                var row = c.Steps[step.Id];
                if (row.State != StepState.Pending || !(step.Needs ?? []).All(n => c.Steps[n].State.IsDone())) continue;
                changed = true;
                if (step.If is { } condition && !Matches(c, condition, out var why))
                {
                    c.Save(row with { State = StepState.Skipped, Error = why, FinishedAt = c.Now });
                    continue;
                }
                await ReleaseAsync(c, step, row with { StartedAt = c.Now }).ConfigureAwait(false);
            }
        }
        while (changed);
        if (c.Run.State == RunState.Running && c.Steps.Values.All(s => s.State.IsDone()))
        {
            var output = new JsonObject();
            foreach (var step in c.Definition.Steps)
            {
                if (c.Graph.Downstream[step.Id].Count > 0) continue;
                var json = c.Steps[step.Id].OutputJson;
                output[step.Id] = json is null ? null : JsonNode.Parse(json);
            }
            Finish(c, RunState.Succeeded, error: null, output.ToJsonString());
        }
    }

    private static bool Matches(RunContext c, JsonElement condition, out string? why)
    {
        why = null;
        if (StepConditions.Matches(condition, c.ScopeElement())) return true;
        why = $"condition {condition.GetRawText()} did not match";
        return false;
    }

    private static async Task ReleaseAsync(RunContext c, WorkflowStep step, StepRun row)
    {
        try
        {
            switch (step.Kind)
            {
                case StepKind.Task:
                    var args = Templates.Resolve(step.Args, c.Scope()) ?? new JsonObject();
                    c.Save(row with { State = StepState.Running });
                    c.Plan(StepTask(c, step, new StepTaskOwner(c.Run.Id, step.Id, -1, StepTaskRole.Main), args));
                    break;
                case StepKind.ForEach:
                    var items = Templates.ResolveString(step.Items!, c.Scope());
                    if (items is not JsonArray array)
                    {
                        throw new TemplateException(step.Items!.Trim()[2..^1], $"is {(items is null ? "null" : items.GetValueKind().ToName())}, not an array");
                    }
                    if (array.Count == 0)
                    {
                        await CompleteAsync(c, row, "[]").ConfigureAwait(false);
                        break;
                    }
                    row = row with { State = StepState.Running, ItemCount = array.Count, ItemsDone = 0, ItemsReleased = 0 };
                    c.SetItems(step.Id, [.. Enumerable.Range(0, array.Count).Select(i => new StepRun { RunId = c.Run.Id, StepId = step.Id, Item = i, State = StepState.Pending })]);
                    c.Save(row);
                    await ReleaseItemsAsync(c, step, row).ConfigureAwait(false);
                    break;
                case StepKind.Noop:
                    await CompleteAsync(c, row, (Templates.Resolve(step.Args, c.Scope()) ?? new JsonObject()).ToJsonString()).ConfigureAwait(false);
                    break;
                case StepKind.Fail:
                    await FailStepAsync(c, row, step.Message ?? "failed by a fail step").ConfigureAwait(false);
                    break;
                case StepKind.Sleep:
                    var timer = new PlannedTask(new StepTaskOwner(c.Run.Id, step.Id, -1, StepTaskRole.Main), TimerPlugin, "{}") { MaxAttempts = 25 };
                    if (step.Seconds is { } seconds) timer = timer with { Delay = TimeSpan.FromSeconds(seconds) };
                    else timer = timer with { RunAt = Instant(Templates.ResolveString(step.Until!, c.Scope()), step.Until!) };
                    c.Save(row with { State = StepState.Running });
                    c.Plan(timer);
                    break;
                case StepKind.WaitForEvent:
                    c.Save(row with { State = StepState.Waiting });
                    if (step.TimeoutSeconds is { } timeout)
                    {
                        c.Plan(new PlannedTask(new StepTaskOwner(c.Run.Id, step.Id, -1, StepTaskRole.Timeout), TimerPlugin, "{}") { Delay = TimeSpan.FromSeconds(timeout), MaxAttempts = 25 });
                    }
                    break;
                case StepKind.Workflow:
                    var input = Templates.Resolve(step.Input, c.Scope()) ?? new JsonObject();
                    c.Save(row with { State = StepState.Waiting });
                    c.Children.Add(new PlannedChild(step.Id, step.Workflow!, input.ToJsonString()));
                    break;
            }
        }
        catch (NexusException ex) when (ex is TemplateException or TaskValidationException or UnknownPluginException)
        {
            await FailStepAsync(c, c.Steps[step.Id] with { StartedAt = c.Now }, ex.Message).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Instant(JsonNode? value, string template) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String
        && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new TemplateException(template, $"'{value?.ToJsonString()}' is not an ISO 8601 instant");

    private static PlannedTask StepTask(RunContext c, WorkflowStep step, StepTaskOwner owner, JsonNode args) =>
        new(owner, step.Plugin!, args.ToJsonString())
        {
            MaxAttempts = step.MaxAttempts,
            Retry = step.Retry,
            Timeout = step.TimeoutSeconds is { } t ? TimeSpan.FromSeconds(t) : null,
        };

    /// <summary>Releases forEach items until <see cref="WorkflowStep.MaxParallel"/> run at once.</summary>
    private static async Task ReleaseItemsAsync(RunContext c, WorkflowStep step, StepRun row)
    {
        var items = await c.ItemsAsync(step.Id).ConfigureAwait(false);
        var running = row.ItemsReleased - items.Take(row.ItemsReleased).Count(i => i.State.IsFinal());
        var max = step.MaxParallel ?? WorkflowValidator.DefaultMaxParallel;
        if (running >= max || row.ItemsReleased >= row.ItemCount) return;
        var array = (JsonArray)Templates.ResolveString(step.Items!, c.Scope())!;
        var released = row.ItemsReleased;
        while (running < max && released < row.ItemCount)
        {
            var owner = new StepTaskOwner(c.Run.Id, step.Id, released, StepTaskRole.Main);
            var args = Templates.Resolve(step.Args, c.Scope(("item", array[released]), ("index", JsonValue.Create(released)))) ?? new JsonObject();
            c.Plan(StepTask(c, step, owner, args));
            c.Save(items[released] with { State = StepState.Running, StartedAt = c.Now });
            released++;
            running++;
        }
        c.Save(c.Steps[step.Id] with { ItemsReleased = released });
    }

    private static async Task CompleteAsync(RunContext c, StepRun row, string outputJson)
    {
        c.Measures.Add(new WorkflowMeasure(MeasureKind.StepFinished, c.Run.Workflow, "succeeded"));
        var seq = c.Run.Completions + 1;
        c.SetRun(c.Run with { Completions = seq });
        var compensates = c.Graph[row.StepId].Compensate is not null;
        var compensating = c.Run.State == RunState.Compensating && compensates;
        c.Save(row with
        {
            State = StepState.Succeeded,
            OutputJson = outputJson,
            Error = null,
            FinishedAt = c.Now,
            CompletedSeq = seq,
            Compensation = compensating ? CompensationState.Pending : row.Compensation,
        });
        if (compensating) NextCompensation(c);
        else await AdvanceAsync(c).ConfigureAwait(false);
    }

    private static async Task FailStepAsync(RunContext c, StepRun row, string error)
    {
        c.Measures.Add(new WorkflowMeasure(MeasureKind.StepFinished, c.Run.Workflow, "failed"));
        c.Save(row with { State = StepState.Failed, Error = error, FinishedAt = c.Now });
        if (c.Run.State != RunState.Running) return;
        await StopStepsAsync(c, includeCompensations: false).ConfigureAwait(false);
        var message = $"step '{row.StepId}' failed: {error}";
        var toUndo = c.Steps.Values.Where(s => s.State == StepState.Succeeded && c.Graph[s.StepId].Compensate is not null).ToList();
        if (toUndo.Count == 0)
        {
            Finish(c, RunState.Failed, message);
            return;
        }
        foreach (var s in toUndo) c.Save(s with { Compensation = CompensationState.Pending, CompensationTaskId = null, CompensationError = null });
        c.SetRun(c.Run with { State = RunState.Compensating, Error = message });
        NextCompensation(c);
    }

    /// <summary>Cancels the tasks of every step still running or waiting (and their child runs); those steps are
    /// cancelled. A running task may still finish: its success is then recorded (and compensated), see OnTaskAsync.</summary>
    private static async Task StopStepsAsync(RunContext c, bool includeCompensations)
    {
        foreach (var row in c.Steps.Values.ToList())
        {
            if (includeCompensations && row is { Compensation: CompensationState.Running, CompensationTaskId: { } ct }) c.CancelTasks.Add(ct);
            if (row.State is not (StepState.Running or StepState.Waiting)) continue;
            if (row.TaskId is { } id) c.CancelTasks.Add(id);
            if (row.ChildRunId is { } child) c.CancelChildren.Add(child);
            if (c.Graph[row.StepId].Kind == StepKind.ForEach)
            {
                foreach (var item in (await c.ItemsAsync(row.StepId).ConfigureAwait(false)).ToList())
                {
                    if (item is { State: StepState.Running, TaskId: { } itemTask }) c.CancelTasks.Add(itemTask);
                    if (item.State is StepState.Running or StepState.Pending) c.Save(item with { State = StepState.Cancelled, FinishedAt = c.Now });
                }
            }
            c.Save(c.Steps[row.StepId] with { State = StepState.Cancelled, FinishedAt = c.Now });
        }
    }

    /// <summary>Starts the next compensation: the pending one of the step that completed last.</summary>
    private static void NextCompensation(RunContext c)
    {
        if (c.Run.State != RunState.Compensating) return;
        if (c.Steps.Values.Any(s => s.Compensation == CompensationState.Running)) return;
        var next = c.Steps.Values.Where(s => s.Compensation == CompensationState.Pending).MaxBy(s => s.CompletedSeq);
        if (next is null)
        {
            Finish(c, RunState.Compensated, c.Run.Error);
            return;
        }
        var action = c.Graph[next.StepId].Compensate!;
        try
        {
            var output = next.OutputJson is null ? null : JsonNode.Parse(next.OutputJson);
            var args = Templates.Resolve(action.Args, c.Scope(("output", output))) ?? new JsonObject();
            c.Plan(new PlannedTask(new StepTaskOwner(c.Run.Id, next.StepId, -1, StepTaskRole.Compensate), action.Plugin, args.ToJsonString()) { MaxAttempts = action.MaxAttempts });
            c.Save(next with { Compensation = CompensationState.Running });
        }
        catch (NexusException ex) when (ex is TemplateException or TaskValidationException or UnknownPluginException)
        {
            c.Save(next with { Compensation = CompensationState.Failed, CompensationError = ex.Message });
            Finish(c, RunState.CompensationFailed, $"the compensation of step '{next.StepId}' failed: {ex.Message}");
        }
    }

    private static void Finish(RunContext c, RunState state, string? error, string? outputJson = null)
    {
        c.SetRun(c.Run with { State = state, Error = error, OutputJson = outputJson, FinishedAt = c.Now });
        c.Measures.Add(new WorkflowMeasure(MeasureKind.RunFinished, c.Run.Workflow, state.ToName(), Math.Max(0, (c.Now - c.Run.CreatedAt).TotalSeconds)) { Run = c.Run });
        if (c.Run.ParentRunId is not null) c.NotifyParent = true;
    }

    private static async Task<bool> RetryAsync(RunContext c)
    {
        if (c.Run.State is not (RunState.Failed or RunState.Cancelled or RunState.Compensated or RunState.CompensationFailed)) return false;
        foreach (var row in c.Steps.Values.ToList())
        {
            if (row.State is StepState.Failed or StepState.Cancelled or StepState.Running or StepState.Waiting)
            {
                c.Save(new StepRun { RunId = row.RunId, StepId = row.StepId, State = StepState.Pending });
            }
            else if (row.Compensation is not null)
            {
                // A compensated step's effect was undone: it runs again too.
                c.Save(row.Compensation == CompensationState.Succeeded
                    ? new StepRun { RunId = row.RunId, StepId = row.StepId, State = StepState.Pending }
                    : row with { Compensation = null, CompensationTaskId = null, CompensationError = null });
            }
        }
        c.SetRun(c.Run with { State = RunState.Running, Error = null, OutputJson = null, FinishedAt = null, Paused = false });
        await AdvanceAsync(c).ConfigureAwait(false);
        return true;
    }

    private static async Task<bool> SignalAsync(RunContext c, RunSignalled s)
    {
        if (c.Run.State != RunState.Running) return false;
        var payload = JsonDocument.Parse(s.PayloadJson).RootElement;
        foreach (var step in c.Definition.Steps)
        {
            if (step.Kind != StepKind.WaitForEvent || step.Signal != s.Signal) continue;
            var row = c.Steps[step.Id];
            if (row.State != StepState.Waiting) continue;
            if (step.Filter is { } filter && !StepConditions.Matches(filter, payload)) continue;
            if (row.TaskId is { } timer) c.CancelTasks.Add(timer);
            // Completing may release more steps; the signal's delivery is what the caller hears about.
            await CompleteAsync(c, row with { TaskId = null }, s.PayloadJson).ConfigureAwait(false);
            return true;
        }
        return false;
    }
}
