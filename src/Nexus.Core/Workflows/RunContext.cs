using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>A task the planner wants inserted for a step.</summary>
internal sealed record PlannedTask(StepTaskOwner Owner, string Plugin, string ArgsJson)
{
    public int? MaxAttempts { get; init; }
    public RetryPolicy? Retry { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan? Delay { get; init; }
    public DateTimeOffset? RunAt { get; init; }
}

/// <summary>A child run the planner wants started for a workflow step.</summary>
internal sealed record PlannedChild(string StepId, string Workflow, string InputJson);

/// <summary>One run loaded for planning inside a transaction: its rows, and what planning decided (rows to save,
/// tasks to insert and cancel, child runs to start, the parent to tell). The planner changes it; the coordinator
/// writes it.</summary>
internal sealed class RunContext(WorkflowRun run, WorkflowDefinition definition, IReadOnlyList<StepRun> steps,
    DateTimeOffset now, Func<string, Task<IReadOnlyList<StepRun>>> loadItems, Func<PlannedTask, NewTask> prepare)
{
    private Dictionary<string, List<StepRun>>? _items;
    private JsonObject? _scope;

    public WorkflowRun Run { get; set; } = run;
    public WorkflowDefinition Definition { get; } = definition;
    public WorkflowGraph Graph { get; } = new(definition);
    public Dictionary<string, StepRun> Steps { get; } = steps.ToDictionary(s => s.StepId, StringComparer.Ordinal);
    public DateTimeOffset Now { get; } = now;
    public bool RunChanged { get; set; }

    /// <summary>Rows to save, by step id and item.</summary>
    public Dictionary<(string Step, int Item), StepRun> Dirty { get; } = [];
    public List<(NewTask Task, StepTaskOwner Owner)> NewTasks { get; } = [];
    public List<long> CancelTasks { get; } = [];
    public List<PlannedChild> Children { get; } = [];
    public List<long> CancelChildren { get; } = [];
    public List<WorkflowMeasure> Measures { get; } = [];
    /// <summary>Set when the run reached a final state and has a parent to tell.</summary>
    public bool NotifyParent { get; set; }

    public void Save(StepRun row)
    {
        if (row.Item < 0)
        {
            Steps[row.StepId] = row;
            _scope = null;
        }
        else if (_items?.TryGetValue(row.StepId, out var list) == true)
        {
            list[row.Item] = row;
        }
        Dirty[(row.StepId, row.Item)] = row;
    }

    public void SetRun(WorkflowRun run)
    {
        Run = run with { UpdatedAt = Now };
        RunChanged = true;
    }

    public async Task<List<StepRun>> ItemsAsync(string stepId)
    {
        _items ??= new(StringComparer.Ordinal);
        if (!_items.TryGetValue(stepId, out var list))
        {
            list = [.. (await loadItems(stepId).ConfigureAwait(false)).OrderBy(i => i.Item)];
            foreach (var ((step, item), row) in Dirty)
            {
                if (step == stepId && item >= 0 && item < list.Count) list[item] = row;
                else if (step == stepId && item == list.Count) list.Add(row);
            }
            _items[stepId] = list;
        }
        return list;
    }

    /// <summary>New item rows of a forEach step just expanded (none were stored before).</summary>
    public void SetItems(string stepId, List<StepRun> items)
    {
        _items ??= new(StringComparer.Ordinal);
        _items[stepId] = items;
        foreach (var item in items) Dirty[(stepId, item.Item)] = item;
    }

    /// <summary>Plans a task; it is stored with the run's trace root as its parent, so its spans join the run's trace.</summary>
    public void Plan(PlannedTask task) => NewTasks.Add((prepare(task) with { TraceContext = Observability.RunTrace.Parent(Run) }, task.Owner));

    /// <summary>The document templates and conditions read: <c>{"input": …, "steps": {"id": {"output": …, "state": …}}}</c>.</summary>
    public JsonObject Scope()
    {
        if (_scope is not null) return _scope;
        var steps = new JsonObject();
        foreach (var (id, row) in Steps)
        {
            if (!row.State.IsDone()) continue;
            steps[id] = new JsonObject
            {
                ["output"] = row.OutputJson is null ? null : JsonNode.Parse(row.OutputJson),
                ["state"] = row.State.ToName(),
            };
        }
        _scope = new JsonObject
        {
            ["input"] = JsonNode.Parse(Run.InputJson),
            ["steps"] = steps,
            ["run"] = new JsonObject { ["id"] = Run.Id, ["workflow"] = Run.Workflow, ["version"] = Run.Version },
        };
        return _scope;
    }

    /// <summary>The scope plus extra names (<c>item</c>, <c>index</c>, <c>output</c>).</summary>
    public JsonObject Scope(params (string Name, JsonNode? Value)[] extra)
    {
        var scope = (JsonObject)Scope().DeepClone();
        foreach (var (name, value) in extra) scope[name] = value?.DeepClone();
        return scope;
    }

    public JsonElement ScopeElement() => JsonSerializer.SerializeToElement(Scope());
}
