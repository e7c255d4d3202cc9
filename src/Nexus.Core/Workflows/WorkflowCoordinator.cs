using System.Collections.Concurrent;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>
/// Applies run events inside one store transaction: locks the runs, loads their steps, lets <see cref="RunPlanner"/>
/// decide, then writes what it decided — child runs, new step tasks (one insert for all), step rows, run rows — and
/// cancels the tasks of stopped steps. Events that follow (a child's start, a parent's step) are applied in the same
/// transaction, so one completion and everything it causes commit together.
/// </summary>
internal sealed class WorkflowCoordinator(INexusTasks tasks, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, WorkflowDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly StoreClock _clock = new(time);

    /// <summary>Whether the last applied events inserted or released tasks (so the caller wakes the workers).</summary>
    public sealed record Outcome(IReadOnlyList<bool> Applied, int TasksInserted, IReadOnlyList<WorkflowMeasure> Measures);

    public async Task<Outcome> ApplyAsync(IWorkflowStore workflows, ITaskStore taskStore, IReadOnlyList<RunEvent> events, CancellationToken ct)
    {
        var applied = new List<bool>();
        var inserted = 0;
        var measures = new List<WorkflowMeasure>();
        var pending = new List<RunEvent>(events);
        var first = true;
        while (pending.Count > 0)
        {
            var batch = pending;
            pending = [];
            var ids = batch.Select(e => e.RunId).Distinct().Order().ToList();
            var (locked, read) = await workflows.LockRunsWithStepsAsync(ids, ct).ConfigureAwait(false);
            var runs = locked.ToDictionary(r => r.Id);
            var steps = read.ToLookup(s => s.RunId);
            var contexts = new Dictionary<long, RunContext>();
            foreach (var e in batch)
            {
                if (!runs.TryGetValue(e.RunId, out var run))
                {
                    if (first) applied.Add(false);
                    continue;
                }
                if (!contexts.TryGetValue(run.Id, out var c))
                {
                    var runId = run.Id;
                    c = new RunContext(run, Definition(run), [.. steps[run.Id]], time.GetUtcNow(),
                        stepId => workflows.GetItemsAsync(runId, stepId, ct), Prepare);
                    contexts[run.Id] = c;
                }
                var ok = await RunPlanner.ApplyAsync(c, e).ConfigureAwait(false);
                if (first) applied.Add(ok);
            }
            first = false;
            inserted += await WriteAsync([.. contexts.Values], workflows, taskStore, pending, ct).ConfigureAwait(false);
            foreach (var c in contexts.Values) measures.AddRange(c.Measures);
        }
        return new Outcome(applied, inserted, measures);
    }

    /// <summary>Writes what planning decided for every run of a batch: child runs, then one insert of every new task,
    /// one write of every changed step and one of every changed run, then the cancels (last, so that a cancel which
    /// reaches the owned-task hook again finds the rows written) and the follow-up events.</summary>
    private async Task<int> WriteAsync(IReadOnlyList<RunContext> contexts, IWorkflowStore workflows, ITaskStore taskStore, List<RunEvent> next, CancellationToken ct)
    {
        foreach (var c in contexts) await StartChildrenAsync(c, workflows, next, ct).ConfigureAwait(false);
        var planned = contexts.SelectMany(c => c.NewTasks.Select(t => (Context: c, t.Task, t.Owner))).ToList();
        if (planned.Count > 0)
        {
            var results = await taskStore.InsertAsync(new InsertTasksParams([.. planned.Select(p => p.Task)]) { Now = _clock.Now }, ct).ConfigureAwait(false);
            for (var i = 0; i < results.Count; i++)
            {
                var (c, _, owner) = planned[i];
                var row = c.Dirty[(owner.StepId, owner.Item)];
                c.Save(owner.Role == StepTaskRole.Compensate ? row with { CompensationTaskId = results[i].Id } : row with { TaskId = results[i].Id });
            }
        }
        var dirty = contexts.SelectMany(c => c.Dirty.Values).ToList();
        var changed = contexts.Where(c => c.RunChanged).Select(c => c.Run with { UpdatedAt = c.Now }).ToList();
        await workflows.SaveAsync(dirty, changed, ct).ConfigureAwait(false);
        foreach (var c in contexts)
        {
            foreach (var id in c.CancelTasks.Distinct()) await taskStore.CancelAsync(new TaskActionParams(id) { Now = _clock.Now }, ct).ConfigureAwait(false);
            foreach (var child in c.CancelChildren.Distinct()) next.Add(new RunCancelRequested(child, $"its parent run {c.Run.Id} stopped"));
            if (c.NotifyParent && c.Run is { ParentRunId: { } parent, ParentStepId: { } parentStep })
            {
                next.Add(new ChildRunFinished(parent, parentStep, c.Run.Id, c.Run.State, c.Run.OutputJson, c.Run.Error));
            }
        }
        return planned.Count;
    }

    private async Task StartChildrenAsync(RunContext c, IWorkflowStore workflows, List<RunEvent> next, CancellationToken ct)
    {
        foreach (var child in c.Children)
        {
            var stored = await workflows.GetAsync(child.Workflow, null, ct).ConfigureAwait(false);
            if (stored is null)
            {
                next.Add(new ChildRunFinished(c.Run.Id, child.StepId, 0, RunState.Failed, null, $"workflow '{child.Workflow}' is not registered"));
                c.Save(c.Steps[child.StepId] with { ChildRunId = 0 });
                continue;
            }
            var (childId, _) = await workflows.CreateRunAsync(new NewRun
            {
                Workflow = stored.Name,
                Version = stored.Version,
                DefinitionJson = stored.DefinitionJson,
                InputJson = child.InputJson,
                ParentRunId = c.Run.Id,
                ParentStepId = child.StepId,
                Now = _clock.Now,
            }, ct).ConfigureAwait(false);
            c.Save(c.Steps[child.StepId] with { ChildRunId = childId });
            next.Add(new RunStarted(childId));
        }
    }

    private WorkflowDefinition Definition(WorkflowRun run) =>
        _definitions.GetOrAdd(run.DefinitionJson, WorkflowJson.Parse);

    private NewTask Prepare(PlannedTask t) => tasks.Prepare([new TaskRequest(t.Plugin, t.ArgsJson, new SubmitOptions
    {
        Owner = t.Owner.ToString(),
        MaxAttempts = t.MaxAttempts,
        Retry = t.Retry,
        Timeout = t.Timeout,
        Delay = t.Delay,
        RunAt = t.RunAt,
    })])[0];
}
