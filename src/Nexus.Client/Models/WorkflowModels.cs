using System.Text.Json;

namespace Nexus.Client;

/// <summary>A registered workflow version (<c>/api/v1/workflows</c>).</summary>
/// <param name="Name">The workflow.</param>
/// <param name="Version">Its version.</param>
/// <param name="Hash">SHA-256 of its canonical definition.</param>
/// <param name="CreatedAt">When the version was registered.</param>
/// <param name="Definition">The definition JSON.</param>
/// <param name="Created">On registration: false when it equalled the latest version.</param>
public sealed record WorkflowInfo(string Name, int Version, string Hash, DateTimeOffset CreatedAt, JsonElement Definition, bool? Created = null);

/// <summary>A started run.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Version">The version it is pinned to.</param>
/// <param name="Created">False when the idempotency key returned an existing run.</param>
public sealed record StartedRunInfo(long RunId, int Version, bool Created);

/// <summary>A run (<c>/api/v1/runs</c>); <see cref="Steps"/> when one run is read; <see cref="TraceId"/> is the run's trace,
/// which every step's spans join.</summary>
public sealed record RunInfo(
    long Id, string Workflow, int Version, string State, bool Paused, JsonElement Input, JsonElement? Output, string? Error,
    string? IdempotencyKey, long? ParentRunId, string? ParentStepId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt, IReadOnlyList<StepInfo>? Steps = null, string? TraceId = null)
{
    /// <summary>True for states a run leaves only by a retry: succeeded, failed, compensated, compensationFailed, cancelled.</summary>
    public bool IsFinished => State is not ("running" or "compensating");
}

/// <summary>A step of a run (or an item of a forEach step, with <see cref="Index"/>).</summary>
public sealed record StepInfo(
    string Id, string Kind, string? Plugin, IReadOnlyList<string> Needs, string State, long? TaskId, int Attempt, JsonElement? Output,
    string? Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long? CompletedSeq, StepItemsInfo? Items, long? ChildRunId,
    CompensationInfo? Compensation, int? Index = null);

/// <summary>A forEach step's item counts.</summary>
public sealed record StepItemsInfo(int Count, int Released, int Succeeded);

/// <summary>A step's compensation.</summary>
public sealed record CompensationInfo(string State, long? TaskId, string? Error);

/// <summary>A page of runs; pass <see cref="Next"/> as <c>before</c> for the next.</summary>
public sealed record RunPage(IReadOnlyList<RunInfo> Items, string? Next);
