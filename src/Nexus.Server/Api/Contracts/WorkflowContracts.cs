using System.Text.Json;
using Nexus.Workflows;

namespace Nexus.Server.Api.Contracts;

/// <summary>A registered workflow version.</summary>
/// <param name="Name">The workflow.</param>
/// <param name="Version">Its version (1, 2, …).</param>
/// <param name="Hash">SHA-256 of the canonical definition.</param>
/// <param name="CreatedAt">When the version was registered.</param>
/// <param name="Definition">The definition (the format of <c>/api/v1/workflows/schema</c>).</param>
/// <param name="Created">On registration: false when the definition equalled the latest version.</param>
public sealed record WorkflowResponse(string Name, int Version, string Hash, DateTimeOffset CreatedAt, JsonElement Definition, bool? Created = null)
{
    internal static WorkflowResponse From(StoredWorkflow w, bool? created = null) =>
        new(w.Name, w.Version, w.Hash, w.CreatedAt, StoredJsonValue.Element(w.DefinitionJson), created);
}

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

/// <summary>A run; <see cref="Steps"/> only when one run is shown. <see cref="TraceId"/> is the run's trace (every step's
/// spans are in it; see docs/workflows.md).</summary>
public sealed record RunResponse(
    long Id, string Workflow, int Version, string State, bool Paused, JsonElement Input, JsonElement? Output, string? Error,
    string? IdempotencyKey, long? ParentRunId, string? ParentStepId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt, IReadOnlyList<StepResponse>? Steps = null, string? TraceId = null)
{
    internal static RunResponse From(WorkflowRun r, IReadOnlyList<StepResponse>? steps = null) => new(
        r.Id, r.Workflow, r.Version, r.State.ToName(), r.Paused, StoredJsonValue.Element(r.InputJson),
        r.OutputJson is null ? null : StoredJsonValue.Element(r.OutputJson), r.Error, r.IdempotencyKey, r.ParentRunId, r.ParentStepId,
        r.CreatedAt, r.UpdatedAt, r.FinishedAt, steps, Nexus.Observability.RunTrace.TraceId(r));

    internal static RunResponse From(RunDetails d)
    {
        var byId = d.Steps.ToDictionary(s => s.StepId, StringComparer.Ordinal);
        var steps = d.Definition.Steps.Select(def => StepResponse.From(def, byId.GetValueOrDefault(def.Id))).ToList();
        return From(d.Run, steps);
    }
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
    CompensationResponse? Compensation, int? Index = null)
{
    internal static StepResponse From(WorkflowStep def, StepRun? s) => new(
        def.Id, def.Kind.ToName(), def.Plugin, def.Needs ?? [], (s?.State ?? StepState.Pending).ToName(), s?.TaskId, s?.Attempt ?? 0,
        s?.OutputJson is null ? null : StoredJsonValue.Element(s.OutputJson), s?.Error, s?.StartedAt, s?.FinishedAt, s?.CompletedSeq,
        def.Kind == StepKind.ForEach && s is not null ? new StepItemsResponse(s.ItemCount, s.ItemsReleased, s.ItemsDone) : null,
        s?.ChildRunId,
        s?.Compensation is { } c ? new CompensationResponse(c.ToName(), s.CompensationTaskId, s.CompensationError) : null);

    internal static StepResponse Item(WorkflowStep def, StepRun s) => From(def, s) with { Items = null, Index = s.Item };
}

/// <summary>A forEach step's items.</summary>
public sealed record StepItemsResponse(int Count, int Released, int Succeeded);

/// <summary>A step's compensation.</summary>
public sealed record CompensationResponse(string State, long? TaskId, string? Error);

/// <summary>A page of runs; <see cref="Next"/> is the <c>before</c> of the next page.</summary>
public sealed record RunListResponse(IReadOnlyList<RunResponse> Items, string? Next);

/// <summary>The items of a forEach step.</summary>
public sealed record StepItemListResponse(IReadOnlyList<StepResponse> Items);
