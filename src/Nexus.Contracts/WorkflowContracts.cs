using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Contracts;

/// <summary>A registered workflow version.</summary>
/// <param name="Name">The workflow.</param>
/// <param name="Version">Its version (1, 2, …).</param>
/// <param name="Hash">SHA-256 of the canonical definition.</param>
/// <param name="CreatedAt">When the version was registered.</param>
/// <param name="Definition">The definition (the format of <c>/api/v1/workflows/schema</c>).</param>
/// <param name="Created">On registration: false when the definition equalled the latest version.</param>
public sealed record WorkflowResponse(string Name, int Version, string Hash, DateTimeOffset CreatedAt, JsonElement Definition, bool? Created = null);

/// <summary>Workflows (the latest version of each) or the versions of one.</summary>
public sealed record WorkflowListResponse(IReadOnlyList<WorkflowResponse> Items);

/// <summary>Body of <c>POST /api/v1/workflows/{name}/runs</c>.</summary>
/// <param name="Input">The run's input object. Default <c>{}</c>.</param>
/// <param name="IdempotencyKey">A second start with the same key returns the first run (200 instead of 201).</param>
/// <param name="Version">Run this version instead of the latest.</param>
public sealed record StartRunRequest(JsonElement? Input = null, string? IdempotencyKey = null, int? Version = null);

/// <summary>A started run.</summary>
public sealed record StartRunResponse(long RunId, int Version, bool Created);

/// <summary>Body of <c>POST /api/v1/runs/{id}/signal</c>.</summary>
/// <param name="Signal">The signal's name (a waitForEvent step's <c>signal</c>).</param>
/// <param name="Payload">Any JSON; the waiting step's output. Default <c>{}</c>.</param>
public sealed record SignalRequest(string Signal, JsonElement? Payload = null);

/// <summary>A run; <see cref="Steps"/> only when one run is shown. <see cref="TraceId"/> is the run's trace (every step's spans are in it; see docs/workflows.md).</summary>
public sealed record RunResponse(
    long Id, string Workflow, int Version, string State, bool Paused, JsonElement Input, JsonElement? Output, string? Error,
    string? IdempotencyKey, long? ParentRunId, string? ParentStepId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt, IReadOnlyList<StepResponse>? Steps = null, string? TraceId = null)
{
    /// <summary>True for states a run leaves only by a retry: succeeded, failed, compensated, compensationFailed, cancelled. Not on the wire.</summary>
    [JsonIgnore]
    public bool IsFinished => State is not ("running" or "compensating");
}

/// <summary>One step of a run (or one item of a forEach step).</summary>
/// <param name="Id">The step id.</param>
/// <param name="Kind">task, forEach, workflow, sleep, waitForEvent, noop or fail.</param>
/// <param name="Plugin">Its plugin, when it runs one.</param>
/// <param name="Needs">Its upstream steps.</param>
/// <param name="State">pending, running, waiting, succeeded, failed, skipped or cancelled.</param>
/// <param name="TaskId">Its current task (for a wait, its timeout timer).</param>
/// <param name="Attempt">Attempts its task started.</param>
/// <param name="Output">Its output.</param>
/// <param name="Error">Why it failed or was skipped.</param>
/// <param name="StartedAt">When it was released.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="CompletedSeq">Its place in the completion order.</param>
/// <param name="Items">forEach: item counts.</param>
/// <param name="ChildRunId">workflow: the child run.</param>
/// <param name="Compensation">Its compensation, once the run compensates.</param>
/// <param name="Index">For an item: its index.</param>
public sealed record StepResponse(
    string Id, string Kind, string? Plugin, IReadOnlyList<string> Needs, string State, long? TaskId, int Attempt, JsonElement? Output,
    string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? CompletedSeq, StepItemsResponse? Items, long? ChildRunId,
    CompensationResponse? Compensation, int? Index = null);

/// <summary>A forEach step's items.</summary>
public sealed record StepItemsResponse(int Count, int Released, int Succeeded);

/// <summary>A step's compensation.</summary>
public sealed record CompensationResponse(string State, long? TaskId, string? Error);

/// <summary>A page of runs; <see cref="Next"/> is the <c>before</c> of the next page.</summary>
public sealed record RunListResponse(IReadOnlyList<RunResponse> Items, string? Next);

/// <summary>The items of a forEach step.</summary>
public sealed record StepItemListResponse(IReadOnlyList<StepResponse> Items);
