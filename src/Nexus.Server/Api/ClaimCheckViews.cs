using Nexus.Artifacts;
using Nexus.Tasks;
using Nexus.Workflows;

namespace Nexus.Server.Api;

/// <summary>What the API shows of an output stored by the claim check: the value itself (GET of one task, one run).
/// Lists keep the small reference. A reference whose artifact is gone is shown as it is, so a read never fails on it.</summary>
internal static class ClaimCheckViews
{
    public static async Task<string?> ShowAsync(ClaimCheck claims, string? json, CancellationToken ct)
    {
        if (!ArtifactReference.MayContain(json)) return json;
        try
        {
            return await claims.ResolveAsync(json, ct);
        }
        catch (ArtifactMissingException)
        {
            return json;
        }
    }

    public static async Task<TaskRecord> ShowAsync(ClaimCheck claims, TaskRecord task, CancellationToken ct) =>
        ArtifactReference.MayContain(task.ResultJson) ? task with { ResultJson = await ShowAsync(claims, task.ResultJson, ct) } : task;

    public static async Task<RunDetails> ShowAsync(ClaimCheck claims, RunDetails details, CancellationToken ct)
    {
        if (!ArtifactReference.MayContain(details.Run.OutputJson) && !details.Steps.Any(s => ArtifactReference.MayContain(s.OutputJson))) return details;
        var steps = new List<StepRun>(details.Steps.Count);
        foreach (var s in details.Steps) steps.Add(ArtifactReference.MayContain(s.OutputJson) ? s with { OutputJson = await ShowAsync(claims, s.OutputJson, ct) } : s);
        var run = details.Run with { OutputJson = await ShowAsync(claims, details.Run.OutputJson, ct) };
        return details with { Run = run, Steps = steps };
    }
}
