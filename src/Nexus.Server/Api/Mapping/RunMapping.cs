using Nexus.Contracts;
using Nexus.Workflows;

namespace Nexus.Server.Api.Mapping;

/// <summary>A workflow run and its steps in the wire shapes of <see cref="RunResponse"/> and <see cref="StepResponse"/>.</summary>
internal static class RunMapping
{
    public static RunResponse ToResponse(WorkflowRun r, IReadOnlyList<StepResponse>? steps = null) => new(
        r.Id, r.Workflow, r.Version, r.State.ToName(), r.Paused, StoredJsonValue.Element(r.InputJson),
        r.OutputJson is null ? null : StoredJsonValue.Element(r.OutputJson), r.Error, r.IdempotencyKey, r.ParentRunId, r.ParentStepId,
        r.CreatedAt, r.UpdatedAt, r.FinishedAt, steps, Nexus.Observability.RunTrace.TraceId(r));

    public static RunResponse ToResponse(RunDetails d)
    {
        var byId = d.Steps.ToDictionary(s => s.StepId, StringComparer.Ordinal);
        var steps = d.Definition.Steps.Select(def => ToStep(def, byId.GetValueOrDefault(def.Id))).ToList();
        return ToResponse(d.Run, steps);
    }

    public static StepResponse ToStep(WorkflowStep def, StepRun? s) => new(
        def.Id, def.Kind.ToName(), def.Plugin, def.Needs ?? [], (s?.State ?? StepState.Pending).ToName(), s?.TaskId, s?.Attempt ?? 0,
        s?.OutputJson is null ? null : StoredJsonValue.Element(s.OutputJson), s?.Error, s?.StartedAt, s?.FinishedAt, s?.CompletedSeq,
        def.Kind == StepKind.ForEach && s is not null ? new StepItemsResponse(s.ItemCount, s.ItemsReleased, s.ItemsDone) : null,
        s?.ChildRunId,
        s?.Compensation is { } c ? new CompensationResponse(c.ToName(), s.CompensationTaskId, s.CompensationError) : null);

    public static StepResponse ToItem(WorkflowStep def, StepRun s) => ToStep(def, s) with { Items = null, Index = s.Item };
}
