using System.Text.Json;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>Builds a <see cref="WorkflowDefinition"/> in C#; it serializes (<see cref="WorkflowJson.Serialize"/>) to the
/// same JSON as the hand-written format. Args objects are serialized with <see cref="NexusJson.Options"/> (camelCase).</summary>
/// <example><code>
/// var definition = new WorkflowBuilder("thumbnails")
///     .Task("list", "files.list", new { folder = "${input.folder}" })
///     .ForEach("resize", "${steps.list.output.files}", "images.resize", new { path = "${item}" }, s => s.Needs("list").MaxParallel(8))
///     .Task("zip", "files.zip", new { sources = "${steps.resize.output}" }, s => s.Needs("resize"))
///     .Build();
/// </code></example>
public sealed class WorkflowBuilder
{
    private readonly string _name;
    private readonly List<WorkflowStep> _steps = [];
    private string? _description;

    /// <summary>Starts a workflow named <paramref name="name"/>.</summary>
    public WorkflowBuilder(string name) => _name = name;

    /// <summary>Sets the description.</summary>
    public WorkflowBuilder Describe(string description)
    {
        _description = description;
        return this;
    }

    /// <summary>A step that runs <paramref name="plugin"/> once.</summary>
    public WorkflowBuilder Task(string id, string plugin, object? args = null, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Plugin = plugin, Args = Json(args) }, configure);

    /// <summary>A step that runs <paramref name="plugin"/> for each element of the array <paramref name="items"/> names.</summary>
    public WorkflowBuilder ForEach(string id, string items, string plugin, object? args = null, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.ForEach, Items = items, Plugin = plugin, Args = Json(args) }, configure);

    /// <summary>A step that runs the workflow <paramref name="workflow"/> as a child run and waits for it.</summary>
    public WorkflowBuilder Child(string id, string workflow, object? input = null, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.Workflow, Workflow = workflow, Input = Json(input) }, configure);

    /// <summary>A durable sleep of <paramref name="duration"/>.</summary>
    public WorkflowBuilder Sleep(string id, TimeSpan duration, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.Sleep, Seconds = duration.TotalSeconds }, configure);

    /// <summary>A durable sleep until an instant (ISO 8601 text or a template).</summary>
    public WorkflowBuilder SleepUntil(string id, string until, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.Sleep, Until = until }, configure);

    /// <summary>A step that waits for the signal <paramref name="signal"/>, failing after <paramref name="timeout"/>.</summary>
    public WorkflowBuilder WaitForSignal(string id, string signal, TimeSpan? timeout = null, object? filter = null, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.WaitForEvent, Signal = signal, TimeoutSeconds = timeout?.TotalSeconds, Filter = Json(filter) }, configure);

    /// <summary>A step that succeeds at once with <paramref name="args"/> (resolved) as its output.</summary>
    public WorkflowBuilder Noop(string id, object? args = null, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.Noop, Args = Json(args) }, configure);

    /// <summary>A step that fails at once with <paramref name="message"/>.</summary>
    public WorkflowBuilder Fail(string id, string? message = null, Action<StepBuilder>? configure = null) =>
        Add(new WorkflowStep { Id = id, Kind = StepKind.Fail, Message = message }, configure);

    /// <summary>The definition (not yet validated: registration validates it).</summary>
    public WorkflowDefinition Build() => new() { Name = _name, Description = _description, Steps = [.. _steps] };

    /// <summary>The definition's JSON.</summary>
    public string ToJson() => WorkflowJson.Serialize(Build());

    private WorkflowBuilder Add(WorkflowStep step, Action<StepBuilder>? configure)
    {
        var builder = new StepBuilder(step);
        configure?.Invoke(builder);
        _steps.Add(builder.Step);
        return this;
    }

    internal static JsonElement? Json(object? value) => value switch
    {
        null => null,
        JsonElement e => e,
        string s => JsonDocument.Parse(s).RootElement.Clone(),
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), NexusJson.Options),
    };
}

/// <summary>Options of one step in a <see cref="WorkflowBuilder"/>.</summary>
public sealed class StepBuilder
{
    internal StepBuilder(WorkflowStep step) => Step = step;

    internal WorkflowStep Step { get; private set; }

    /// <summary>The steps that must finish first.</summary>
    public StepBuilder Needs(params string[] steps)
    {
        Step = Step with { Needs = [.. Step.Needs ?? [], .. steps] };
        return this;
    }

    /// <summary>A condition in the filter language (a JSON text or an object), over <c>input</c> and <c>steps.&lt;id&gt;.output</c>.</summary>
    public StepBuilder If(object condition)
    {
        Step = Step with { If = WorkflowBuilder.Json(condition) };
        return this;
    }

    /// <summary>Attempts allowed.</summary>
    public StepBuilder MaxAttempts(int attempts)
    {
        Step = Step with { MaxAttempts = attempts };
        return this;
    }

    /// <summary>Backoff between attempts.</summary>
    public StepBuilder Retry(RetryPolicy policy)
    {
        Step = Step with { Retry = policy };
        return this;
    }

    /// <summary>Per-attempt time limit (a wait's timeout for a signal step).</summary>
    public StepBuilder Timeout(TimeSpan timeout)
    {
        Step = Step with { TimeoutSeconds = timeout.TotalSeconds };
        return this;
    }

    /// <summary>forEach: most items at once.</summary>
    public StepBuilder MaxParallel(int max)
    {
        Step = Step with { MaxParallel = max };
        return this;
    }

    /// <summary>What undoes the step when the run fails later (<c>${output…}</c> is this step's output).</summary>
    public StepBuilder Compensate(string plugin, object? args = null, int? maxAttempts = null)
    {
        Step = Step with { Compensate = new StepAction { Plugin = plugin, Args = WorkflowBuilder.Json(args), MaxAttempts = maxAttempts } };
        return this;
    }
}
