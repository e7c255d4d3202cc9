namespace Nexus.Workflows;

/// <summary>A registered version of a workflow.</summary>
/// <param name="Name">The workflow's name.</param>
/// <param name="Version">1, 2, …: each registration of a changed definition adds one.</param>
/// <param name="DefinitionJson">The canonical definition JSON.</param>
/// <param name="Hash">SHA-256 of <paramref name="DefinitionJson"/>.</param>
/// <param name="CreatedAt">When it was registered.</param>
public sealed record StoredWorkflow(string Name, int Version, string DefinitionJson, string Hash, DateTimeOffset CreatedAt);

/// <summary>A run as stored: its pinned definition, input, state and counters.</summary>
public sealed record WorkflowRun
{
    /// <summary>The run's id.</summary>
    public required long Id { get; init; }
    /// <summary>The workflow's name.</summary>
    public required string Workflow { get; init; }
    /// <summary>The version it is pinned to.</summary>
    public required int Version { get; init; }
    /// <summary>The definition it runs (a copy, so edits to the workflow never change it).</summary>
    public required string DefinitionJson { get; init; }
    /// <summary>Its input (a JSON object).</summary>
    public required string InputJson { get; init; }
    /// <summary>Its state.</summary>
    public required RunState State { get; init; }
    /// <summary>True while paused: running steps finish, no new step is released.</summary>
    public bool Paused { get; init; }
    /// <summary>Its output once succeeded: an object with the output of every step nothing needs.</summary>
    public string? OutputJson { get; init; }
    /// <summary>Why it failed, when it did.</summary>
    public string? Error { get; init; }
    /// <summary>The idempotency key it was started with.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>The run whose workflow step started this one.</summary>
    public long? ParentRunId { get; init; }
    /// <summary>That step's id.</summary>
    public string? ParentStepId { get; init; }
    /// <summary>How many steps completed so far (gives each completion its order for compensation).</summary>
    public long Completions { get; init; }
    /// <summary>When it started.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>A step of a run (or, with <see cref="Item"/> ≥ 0, one item of a forEach step).</summary>
public sealed record StepRun
{
    /// <summary>The run.</summary>
    public required long RunId { get; init; }
    /// <summary>The step's id.</summary>
    public required string StepId { get; init; }
    /// <summary>-1 for the step itself; the item's index for a forEach item.</summary>
    public int Item { get; init; } = -1;
    /// <summary>Its state.</summary>
    public required StepState State { get; init; }
    /// <summary>Its current task, once released.</summary>
    public long? TaskId { get; init; }
    /// <summary>Attempts its task started.</summary>
    public int Attempt { get; init; }
    /// <summary>Its output (the task's result; for a forEach, the array of item outputs).</summary>
    public string? OutputJson { get; init; }
    /// <summary>Why it failed or was skipped.</summary>
    public string? Error { get; init; }
    /// <summary>When it was released.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Its place in the run's completion order (1 = first step to complete).</summary>
    public long? CompletedSeq { get; init; }
    /// <summary>forEach: how many items.</summary>
    public int ItemCount { get; init; }
    /// <summary>forEach: items succeeded.</summary>
    public int ItemsDone { get; init; }
    /// <summary>forEach: items released so far (the next item's index).</summary>
    public int ItemsReleased { get; init; }
    /// <summary>workflow: the child run.</summary>
    public long? ChildRunId { get; init; }
    /// <summary>Its compensation's state, once the run compensates.</summary>
    public CompensationState? Compensation { get; init; }
    /// <summary>Its compensation's task.</summary>
    public long? CompensationTaskId { get; init; }
    /// <summary>Why its compensation failed.</summary>
    public string? CompensationError { get; init; }
}
