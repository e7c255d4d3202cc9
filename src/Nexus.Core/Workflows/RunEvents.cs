namespace Nexus.Workflows;

/// <summary>Something that happened to a run; the planner applies it inside the transaction that caused it.</summary>
internal abstract record RunEvent(long RunId);

/// <summary>The run was just created: release its first steps.</summary>
internal sealed record RunStarted(long RunId) : RunEvent(RunId);

/// <summary>A task the run owns changed.</summary>
internal sealed record StepTaskChanged(long RunId, StepTaskOwner Owner, long TaskId, Tasks.TaskState State, int Attempt,
    string? ResultJson, string? Error) : RunEvent(RunId);

internal sealed record RunCancelRequested(long RunId, string Reason) : RunEvent(RunId);

internal sealed record RunPauseChanged(long RunId, bool Paused) : RunEvent(RunId);

internal sealed record RunRetryRequested(long RunId) : RunEvent(RunId);

internal sealed record RunSignalled(long RunId, string Signal, string PayloadJson) : RunEvent(RunId);

internal sealed record ChildRunFinished(long RunId, string StepId, long ChildRunId, RunState ChildState, string? OutputJson, string? Error) : RunEvent(RunId);

/// <summary>What a step's task is for.</summary>
internal enum StepTaskRole
{
    Main,
    Compensate,
    Timeout,
}

/// <summary>The owner string of a step's task: <c>workflow:&lt;run&gt;/&lt;step&gt;</c>, with <c>#&lt;item&gt;</c> for a
/// forEach item, <c>!compensate</c> for a compensation and <c>!timeout</c> for a wait's timer.</summary>
internal sealed record StepTaskOwner(long RunId, string StepId, int Item, StepTaskRole Role)
{
    public const string Prefix = "workflow:";

    public override string ToString() => Role switch
    {
        StepTaskRole.Compensate => $"{Prefix}{RunId}/{StepId}!compensate",
        StepTaskRole.Timeout => $"{Prefix}{RunId}/{StepId}!timeout",
        _ => Item >= 0 ? $"{Prefix}{RunId}/{StepId}#{Item}" : $"{Prefix}{RunId}/{StepId}",
    };

    public static StepTaskOwner? TryParse(string? owner)
    {
        if (owner is null || !owner.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var rest = owner.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !long.TryParse(rest[..slash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var runId)) return null;
        var step = rest[(slash + 1)..].ToString();
        var role = StepTaskRole.Main;
        var item = -1;
        if (step.EndsWith("!compensate", StringComparison.Ordinal)) (role, step) = (StepTaskRole.Compensate, step[..^"!compensate".Length]);
        else if (step.EndsWith("!timeout", StringComparison.Ordinal)) (role, step) = (StepTaskRole.Timeout, step[..^"!timeout".Length]);
        else if (step.LastIndexOf('#') is var hash and > 0)
        {
            if (!int.TryParse(step.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out item)) return null;
            step = step[..hash];
        }
        return step.Length == 0 ? null : new StepTaskOwner(runId, step, item, role);
    }
}
