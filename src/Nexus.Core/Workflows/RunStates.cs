using System.Text.Json;

namespace Nexus.Workflows;

/// <summary>Where a run is. <see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Compensated"/>,
/// <see cref="CompensationFailed"/> and <see cref="Cancelled"/> are final (a failed run may be retried).</summary>
public enum RunState
{
    /// <summary>Steps are being released and run (see <see cref="WorkflowRun.Paused"/>).</summary>
    Running,
    /// <summary>Every step succeeded or was skipped.</summary>
    Succeeded,
    /// <summary>A step failed and no completed step had a compensation.</summary>
    Failed,
    /// <summary>A step failed; the compensations of completed steps are running, latest completion first.</summary>
    Compensating,
    /// <summary>Every compensation succeeded.</summary>
    Compensated,
    /// <summary>A compensation failed for good; the ones after it did not run.</summary>
    CompensationFailed,
    /// <summary>Cancelled by an operator (or with its parent run).</summary>
    Cancelled,
}

/// <summary>Where a step is.</summary>
public enum StepState
{
    /// <summary>Its needs are not all met yet.</summary>
    Pending,
    /// <summary>Its task (or a forEach's items) exist and run.</summary>
    Running,
    /// <summary>Waiting for a signal or a child run.</summary>
    Waiting,
    /// <summary>Done; its output is stored.</summary>
    Succeeded,
    /// <summary>Failed for good.</summary>
    Failed,
    /// <summary>Its condition did not match.</summary>
    Skipped,
    /// <summary>Stopped with its run.</summary>
    Cancelled,
}

/// <summary>Where a step's compensation is.</summary>
public enum CompensationState
{
    /// <summary>Will run when its turn comes.</summary>
    Pending,
    /// <summary>Its task runs.</summary>
    Running,
    /// <summary>Done.</summary>
    Succeeded,
    /// <summary>Failed for good.</summary>
    Failed,
}

/// <summary>Stored names of the run enums (camelCase, as in JSON).</summary>
public static class RunNames
{
    /// <summary>The stored name of an enum value.</summary>
    public static string ToName<T>(this T value) where T : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>Parses a stored name; throws <see cref="FormatException"/> naming it otherwise.</summary>
    public static T Parse<T>(string name) where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"'{name}' is not a {typeof(T).Name}.");

    /// <summary>True for states a run leaves only by an operator's retry.</summary>
    public static bool IsFinal(this RunState state) => state is not (RunState.Running or RunState.Compensating);

    /// <summary>True for step states that let downstream steps go.</summary>
    public static bool IsDone(this StepState state) => state is StepState.Succeeded or StepState.Skipped;

    /// <summary>True for step states that never change without an operator.</summary>
    public static bool IsFinal(this StepState state) => state is StepState.Succeeded or StepState.Skipped or StepState.Failed or StepState.Cancelled;
}
