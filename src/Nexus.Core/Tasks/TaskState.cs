namespace Nexus.Tasks;

/// <summary>
/// Where a task is in its life. See docs/state-machine.md for the transitions.
/// <see cref="Succeeded"/>, <see cref="Dead"/> and <see cref="Cancelled"/> are terminal,
/// except that an operator may manually retry a dead or cancelled task.
/// </summary>
public enum TaskState
{
    /// <summary>Waiting for its <c>runAt</c>; claimable once that time has passed.</summary>
    Scheduled,
    /// <summary>Ready to be claimed by a worker.</summary>
    Available,
    /// <summary>Leased by a worker, which is executing it.</summary>
    Running,
    /// <summary>Finished; the result is stored.</summary>
    Succeeded,
    /// <summary>An attempt failed; waiting for its backoff to pass before the next attempt.</summary>
    Retrying,
    /// <summary>Failed its last attempt (or failed permanently); kept for inspection and manual retry.</summary>
    Dead,
    /// <summary>Cancelled before it finished.</summary>
    Cancelled,
    /// <summary>Stored but not claimable until what it waits on (its owner: upstream workflow steps, a signal, an
    /// event) releases it to <see cref="Available"/>.</summary>
    Waiting,
}

/// <summary>Conversions between <see cref="TaskState"/> and the lower-case names stored and shown.</summary>
public static class TaskStates
{
    /// <summary>The stored, lower-case name of a state.</summary>
    public static string ToName(this TaskState state) => state switch
    {
        TaskState.Scheduled => "scheduled",
        TaskState.Available => "available",
        TaskState.Running => "running",
        TaskState.Succeeded => "succeeded",
        TaskState.Retrying => "retrying",
        TaskState.Dead => "dead",
        TaskState.Cancelled => "cancelled",
        TaskState.Waiting => "waiting",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown task state."),
    };

    /// <summary>Parses a stored state name; throws <see cref="FormatException"/> naming the value otherwise.</summary>
    public static TaskState Parse(string name) => TryParse(name, out var state)
        ? state
        : throw new FormatException($"'{name}' is not a task state (expected one of: {string.Join(", ", All.Select(s => s.ToName()))}).");

    /// <summary>Parses a state name, case-insensitively.</summary>
    public static bool TryParse(string? name, out TaskState state)
    {
        foreach (var s in All)
        {
            if (string.Equals(s.ToName(), name, StringComparison.OrdinalIgnoreCase))
            {
                state = s;
                return true;
            }
        }
        state = default;
        return false;
    }

    /// <summary>Every state, in life order.</summary>
    public static IReadOnlyList<TaskState> All { get; } = Enum.GetValues<TaskState>();

    /// <summary>True for states a task never leaves on its own.</summary>
    public static bool IsTerminal(this TaskState state) =>
        state is TaskState.Succeeded or TaskState.Dead or TaskState.Cancelled;
}
