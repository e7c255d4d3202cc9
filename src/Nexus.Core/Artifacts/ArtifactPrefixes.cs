using System.Globalization;
using Nexus.Workflows;

namespace Nexus.Artifacts;

/// <summary>Where a task's files go: <c>runs/&lt;runId&gt;/&lt;stepId&gt;/</c> for a workflow step (with
/// <c>&lt;item&gt;/</c> after it for a forEach item and <c>compensate/</c> for a compensation), <c>tasks/&lt;taskId&gt;/</c>
/// for any other task. Its attempt logs are <c>logs/attempt-&lt;n&gt;.log</c> under it, and an offloaded output
/// <c>output.json</c>.</summary>
public static class ArtifactPrefixes
{
    /// <summary>The folder of a task's artifacts, ending with <c>/</c>.</summary>
    public static string ForTask(long taskId, string? owner) => StepTaskOwner.TryParse(owner) is { } step
        ? ForStep(step.RunId, step.StepId, step.Item, step.Role)
        : string.Create(CultureInfo.InvariantCulture, $"tasks/{taskId}/");

    /// <summary>The folder of a run's artifacts.</summary>
    public static string ForRun(long runId) => string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/");

    /// <summary>The folder of one step of a run (its main task; items and compensation have folders inside it).</summary>
    public static string ForStep(long runId, string stepId) => ForStep(runId, stepId, -1, StepTaskRole.Main);

    internal static string ForStep(long runId, string stepId, int item, StepTaskRole role) => role switch
    {
        StepTaskRole.Compensate => string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/{stepId}/compensate/"),
        StepTaskRole.Timeout => string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/{stepId}/timeout/"),
        _ when item >= 0 => string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/{stepId}/{item}/"),
        _ => string.Create(CultureInfo.InvariantCulture, $"runs/{runId}/{stepId}/"),
    };

    /// <summary>The log of one attempt under a task's folder.</summary>
    public static string Log(string folder, int attempt) => string.Create(CultureInfo.InvariantCulture, $"{folder}logs/attempt-{attempt}.log");

    /// <summary>Where an offloaded output goes.</summary>
    public static string Output(string folder, int attempt) => string.Create(CultureInfo.InvariantCulture, $"{folder}output-{attempt}.json");
}
