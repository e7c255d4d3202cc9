namespace Nexus.Contracts;

/// <summary>The task state names the server uses.</summary>
public static class TaskStates
{
    /// <summary>Stored but not claimable until what it waits on (upstream workflow steps, a signal, an event, the delivery before it of a key) releases it.</summary>
    public const string Waiting = "waiting";
    /// <summary>Waiting for its <c>runAt</c>.</summary>
    public const string Scheduled = "scheduled";
    /// <summary>Ready to be claimed.</summary>
    public const string Available = "available";
    /// <summary>An attempt is running.</summary>
    public const string Running = "running";
    /// <summary>Finished with a result.</summary>
    public const string Succeeded = "succeeded";
    /// <summary>Failed; waiting for the next attempt.</summary>
    public const string Retrying = "retrying";
    /// <summary>Failed for good (a dead letter).</summary>
    public const string Dead = "dead";
    /// <summary>Cancelled.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Every state, in the order of a task's life.</summary>
    public static IReadOnlyList<string> All { get; } = [Waiting, Scheduled, Available, Running, Retrying, Succeeded, Dead, Cancelled];

    /// <summary>True for succeeded, dead and cancelled.</summary>
    public static bool IsFinished(string state) => state is Succeeded or Dead or Cancelled;
}
