using System.Text.Json;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>A workflow: a named graph of steps. Registered definitions are versioned and never change; a run stores the
/// definition it started with. The JSON format is described by <c>docs/workflow.schema.json</c> (served at
/// <c>/api/v1/workflows/schema</c>) and in docs/workflows.md.</summary>
public sealed record WorkflowDefinition
{
    /// <summary>The workflow's name: lower-case letters, digits and <c>. _ -</c>, 1–128 characters.</summary>
    public required string Name { get; init; }
    /// <summary>What it does, for people. Default none.</summary>
    public string? Description { get; init; }
    /// <summary>The steps, 1–1,000, each with a unique id.</summary>
    public required IReadOnlyList<WorkflowStep> Steps { get; init; }
}

/// <summary>What a step does.</summary>
public enum StepKind
{
    /// <summary>Runs <see cref="WorkflowStep.Plugin"/> once with <see cref="WorkflowStep.Args"/> (the default).</summary>
    Task,
    /// <summary>Runs <see cref="WorkflowStep.Plugin"/> once per element of <see cref="WorkflowStep.Items"/> (at most
    /// <see cref="WorkflowStep.MaxParallel"/> at a time); its output is the array of every item's output, in item order.</summary>
    ForEach,
    /// <summary>Starts the workflow <see cref="WorkflowStep.Workflow"/> with <see cref="WorkflowStep.Input"/> and waits for it;
    /// its output is the child run's output.</summary>
    Workflow,
    /// <summary>Waits <see cref="WorkflowStep.Seconds"/> or until <see cref="WorkflowStep.Until"/> (durable: a scheduled task).</summary>
    Sleep,
    /// <summary>Waits for the signal <see cref="WorkflowStep.Signal"/> sent to the run (optionally matching
    /// <see cref="WorkflowStep.Filter"/>), failing after <see cref="WorkflowStep.TimeoutSeconds"/>; its output is the signal's payload.</summary>
    WaitForEvent,
    /// <summary>Does nothing and succeeds; its output is its <see cref="WorkflowStep.Args"/> (resolved).</summary>
    Noop,
    /// <summary>Fails at once with <see cref="WorkflowStep.Message"/> (for tests and guards).</summary>
    Fail,
}

/// <summary>One step of a workflow. Which members apply depends on <see cref="Kind"/>; string values in
/// <see cref="Args"/>, <see cref="Input"/>, <see cref="Items"/> and <see cref="Until"/> may hold templates
/// (<c>${input.x}</c>, <c>${steps.&lt;id&gt;.output.path}</c>, and in a forEach <c>${item}</c> and <c>${index}</c>),
/// resolved when the step is released.</summary>
public sealed record WorkflowStep
{
    /// <summary>Unique within the workflow: letters, digits, <c>_ -</c>, 1–64 characters.</summary>
    public required string Id { get; init; }
    /// <summary>What the step does. Default <see cref="StepKind.Task"/>.</summary>
    public StepKind Kind { get; init; } = StepKind.Task;
    /// <summary>The plugin of a task or forEach step.</summary>
    public string? Plugin { get; init; }
    /// <summary>The plugin's args (a JSON object, templates allowed). Default <c>{}</c>.</summary>
    public JsonElement? Args { get; init; }
    /// <summary>Steps that must finish (succeed or be skipped) before this one is released. Default none: it starts with the run.</summary>
    public IReadOnlyList<string>? Needs { get; init; }
    /// <summary>A condition in the filter language (docs/filters.md) over <c>{"input": …, "steps": {"&lt;id&gt;": {"output": …}}}</c>;
    /// when it does not match, the step is skipped. Default: always run.</summary>
    public JsonElement? If { get; init; }
    /// <summary>Attempts allowed for the step's task(s). Default: the plugin's, else the engine's.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Backoff between attempts. Default: the plugin's, else the engine's.</summary>
    public RetryPolicy? Retry { get; init; }
    /// <summary>Per-attempt time limit of a task/forEach step, or how long a waitForEvent waits. Default none.</summary>
    public double? TimeoutSeconds { get; init; }
    /// <summary>What undoes this step when a later step fails the run (a saga). Default none.</summary>
    public StepAction? Compensate { get; init; }
    /// <summary>forEach: a template naming the array to fan out over, e.g. <c>${steps.list.output.files}</c>.</summary>
    public string? Items { get; init; }
    /// <summary>forEach: most items running at once, 1–10,000. Default 100.</summary>
    public int? MaxParallel { get; init; }
    /// <summary>workflow: the child workflow's name (its latest version when the step is released).</summary>
    public string? Workflow { get; init; }
    /// <summary>workflow: the child run's input (templates allowed). Default <c>{}</c>.</summary>
    public JsonElement? Input { get; init; }
    /// <summary>sleep: how long, in seconds (0 to 100 years).</summary>
    public double? Seconds { get; init; }
    /// <summary>sleep: an instant (ISO 8601, templates allowed) to sleep until, instead of <see cref="Seconds"/>.</summary>
    public string? Until { get; init; }
    /// <summary>waitForEvent: the signal's name.</summary>
    public string? Signal { get; init; }
    /// <summary>waitForEvent: a filter the signal's payload must match. Default: any payload.</summary>
    public JsonElement? Filter { get; init; }
    /// <summary>fail: the error message. Default "failed by a fail step".</summary>
    public string? Message { get; init; }
}

/// <summary>A plugin call, used for compensations.</summary>
public sealed record StepAction
{
    /// <summary>The plugin.</summary>
    public required string Plugin { get; init; }
    /// <summary>Its args (templates allowed; <c>${output…}</c> refers to the compensated step's output). Default <c>{}</c>.</summary>
    public JsonElement? Args { get; init; }
    /// <summary>Attempts allowed. Default: the plugin's, else the engine's.</summary>
    public int? MaxAttempts { get; init; }
}
