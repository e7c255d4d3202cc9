using Nexus.Storage;

namespace Nexus.Workflows;

/// <summary>The in-process way to register workflows and start and manage runs. Resolve it from dependency injection
/// after <c>AddNexus</c>. Every run's steps are tasks (owner <c>workflow:&lt;run&gt;/&lt;step&gt;</c>); a step's
/// completion and the steps it releases commit in one transaction.</summary>
public interface INexusWorkflows
{
    /// <summary>Validates and registers a definition as the workflow's next version (or returns the latest version when
    /// it is the same). Throws <see cref="TaskValidationException"/> naming what is wrong.</summary>
    Task<RegisteredWorkflow> RegisterAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>The latest version (or <paramref name="version"/>) of a workflow, or null.</summary>
    Task<StoredWorkflow?> GetAsync(string name, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>The latest version of every workflow.</summary>
    Task<IReadOnlyList<StoredWorkflow>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Every version of a workflow, oldest first.</summary>
    Task<IReadOnlyList<StoredWorkflow>> VersionsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Starts a run of the workflow's latest version (or <see cref="StartRunOptions.Version"/>) with an input
    /// object (default <c>{}</c>); its first steps are released in the same transaction. Throws
    /// <see cref="UnknownWorkflowException"/> and <see cref="TaskValidationException"/>.</summary>
    Task<StartedRun> StartAsync(string workflow, string? inputJson = null, StartRunOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>A run with its steps, or null.</summary>
    Task<RunDetails?> GetRunAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>The items of a forEach step, by index.</summary>
    Task<IReadOnlyList<StepRun>> GetItemsAsync(long runId, string stepId, CancellationToken cancellationToken = default);

    /// <summary>Runs, newest first.</summary>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Cancels a run: its running steps' tasks are cancelled (reaching them through their cancellation token).</summary>
    Task<RunAction> CancelAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Pauses a run: running steps finish, no new step is released until <see cref="ResumeAsync"/>.</summary>
    Task<RunAction> PauseAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused run, releasing every step that became ready meanwhile.</summary>
    Task<RunAction> ResumeAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Retries a failed, compensated or cancelled run from its failed (and undone) steps; succeeded steps keep their outputs.</summary>
    Task<RunAction> RetryAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Sends a signal to a run: the first step waiting for it (whose filter the payload matches) succeeds with
    /// the payload as its output. <see cref="RunAction.NotApplicable"/> when no step waits for it.</summary>
    Task<RunAction> SignalAsync(long runId, string signal, string? payloadJson = null, CancellationToken cancellationToken = default);

    /// <summary>Waits until the run reaches a final state and returns it.</summary>
    Task<WorkflowRun> WaitAsync(long runId, CancellationToken cancellationToken = default);
}

/// <summary>What a registration stored.</summary>
/// <param name="Workflow">The version.</param>
/// <param name="Created">False when the definition equalled the latest version, which was returned.</param>
public sealed record RegisteredWorkflow(StoredWorkflow Workflow, bool Created);

/// <summary>Options of <see cref="INexusWorkflows.StartAsync"/>.</summary>
public sealed record StartRunOptions
{
    /// <summary>Run this version instead of the latest.</summary>
    public int? Version { get; init; }
    /// <summary>A second start with the same key (for the same workflow) returns the first run. 1–255 characters.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>A started run.</summary>
/// <param name="RunId">Its id.</param>
/// <param name="Version">The version it is pinned to.</param>
/// <param name="Created">False when the idempotency key returned an existing run.</param>
public sealed record StartedRun(long RunId, int Version, bool Created);

/// <summary>A run and its steps (forEach items are summarised by counts; read them with <see cref="INexusWorkflows.GetItemsAsync"/>).</summary>
public sealed record RunDetails(WorkflowRun Run, WorkflowDefinition Definition, IReadOnlyList<StepRun> Steps);

/// <summary>What a run action did.</summary>
public enum RunAction
{
    /// <summary>No such run.</summary>
    NotFound,
    /// <summary>Done.</summary>
    Done,
    /// <summary>Not possible in the run's state (finished, not paused, no step waiting for the signal…).</summary>
    NotApplicable,
}

/// <summary>No workflow of that name (or version) is registered.</summary>
public sealed class UnknownWorkflowException(string name, int? version = null)
    : NexusException("unknown-workflow", version is null ? $"Unknown workflow '{name}'." : $"Workflow '{name}' has no version {version}.")
{
    /// <summary>The name asked for.</summary>
    public string Name { get; } = name;
}
