using Nexus.Workflows;

namespace Nexus.Storage;

/// <summary>Workflow definitions, runs and their steps. On <see cref="INexusStore.Workflows"/> each call is its own
/// transaction; on <c>IStoreTransaction.Workflows</c> it joins the transaction (the planner's way: a step's
/// completion and the steps it releases commit together).</summary>
public interface IWorkflowStore
{
    /// <summary>Stores a definition as the workflow's next version, unless its latest version has the same hash
    /// (then that one is returned with <c>Created = false</c>).</summary>
    Task<(StoredWorkflow Workflow, bool Created)> RegisterAsync(RegisterWorkflowParams p, CancellationToken cancellationToken = default);

    /// <summary>One version of a workflow (the latest when <paramref name="version"/> is null), or null.</summary>
    Task<StoredWorkflow?> GetAsync(string name, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>The latest version of every workflow, by name.</summary>
    Task<IReadOnlyList<StoredWorkflow>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version of one workflow, oldest first.</summary>
    Task<IReadOnlyList<StoredWorkflow>> VersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Creates a run. With an idempotency key that the workflow already used, returns that run's id with
    /// <c>Created = false</c> and stores nothing.</summary>
    Task<(long Id, bool Created)> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default);

    /// <summary>Reads runs and, in a transaction, locks them until it ends (so two completions of one run apply one
    /// after the other). Missing ids are left out.</summary>
    Task<IReadOnlyList<WorkflowRun>> LockRunsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);

    /// <summary><see cref="LockRunsAsync"/> and then <see cref="GetStepsAsync"/> of the same ids, in one round trip
    /// where the driver can (the coordinator's read of a completion batch).</summary>
    Task<(IReadOnlyList<WorkflowRun> Runs, IReadOnlyList<StepRun> Steps)> LockRunsWithStepsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default);

    /// <summary><see cref="SaveStepsAsync"/> and <see cref="UpdateRunsAsync"/> together, in one round trip where the
    /// driver can (the coordinator's write of a completion batch).</summary>
    Task SaveAsync(IReadOnlyList<StepRun> stepRows, IReadOnlyList<WorkflowRun> runRows, CancellationToken cancellationToken = default);

    /// <summary>One run, or null.</summary>
    Task<WorkflowRun?> GetRunAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Runs, newest first, with keyset pagination.</summary>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Writes runs' changed state (state, paused, output, error, completions, updated and finished times), in one
    /// round trip.</summary>
    Task UpdateRunsAsync(IReadOnlyList<WorkflowRun> runs, CancellationToken cancellationToken = default);

    /// <summary>The steps of runs (without forEach items), by run then step id.</summary>
    Task<IReadOnlyList<StepRun>> GetStepsAsync(IReadOnlyList<long> runIds, CancellationToken cancellationToken = default);

    /// <summary>The items of one forEach step, by index.</summary>
    Task<IReadOnlyList<StepRun>> GetItemsAsync(long runId, string stepId, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces steps and items (keyed by run, step id and item).</summary>
    Task SaveStepsAsync(IReadOnlyList<StepRun> steps, CancellationToken cancellationToken = default);
}

/// <summary>Params of <see cref="IWorkflowStore.RegisterAsync"/>.</summary>
/// <param name="Name">The workflow's validated name.</param>
/// <param name="DefinitionJson">The canonical, validated definition.</param>
/// <param name="Hash">Its hash.</param>
public sealed record RegisterWorkflowParams(string Name, string DefinitionJson, string Hash)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A run to create.</summary>
public sealed record NewRun
{
    /// <summary>The workflow.</summary>
    public required string Workflow { get; init; }
    /// <summary>The version pinned.</summary>
    public required int Version { get; init; }
    /// <summary>That version's definition.</summary>
    public required string DefinitionJson { get; init; }
    /// <summary>The input object.</summary>
    public required string InputJson { get; init; }
    /// <summary>Idempotency key, unique per workflow.</summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>The parent run of a child run.</summary>
    public long? ParentRunId { get; init; }
    /// <summary>The parent's step.</summary>
    public string? ParentStepId { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Which runs to list.</summary>
public sealed record RunQuery
{
    /// <summary>Only runs of this workflow.</summary>
    public string? Workflow { get; init; }
    /// <summary>Only runs in this state.</summary>
    public RunState? State { get; init; }
    /// <summary>Only runs with an id below this (the previous page's cursor).</summary>
    public long? Before { get; init; }
    /// <summary>Page size, 1–1000. Default 50.</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>A page of runs; <see cref="Next"/> is the cursor of the next page, or null.</summary>
public sealed record RunPage(IReadOnlyList<WorkflowRun> Items, long? Next);
