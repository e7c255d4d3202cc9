namespace Nexus.Workflows;

internal enum MeasureKind
{
    RunStarted,
    RunFinished,
    StepFinished,
}

/// <summary>A measurement the planner decided, recorded once its transaction committed.</summary>
internal sealed record WorkflowMeasure(MeasureKind Kind, string Workflow, string? State = null, double? Seconds = null)
{
    /// <summary>For <see cref="MeasureKind.RunFinished"/>: the run as it finished (for its trace span).</summary>
    public WorkflowRun? Run { get; init; }
}
