using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>Params of <see cref="ITaskStore.DeleteExpiredAsync"/>: retention's delete of finished tasks past their
/// keep time. Drivers walk an index of (queue, state, finished_at) queue by queue, so a pass that finds nothing to
/// delete reads a few index pages, whatever the table's size.</summary>
/// <param name="State">A finished state: succeeded, dead or cancelled.</param>
/// <param name="FinishedBefore">Only tasks that finished before this instant.</param>
/// <param name="Max">Most tasks deleted by one call, 1–<see cref="BulkTaskParams.MaxLimit"/>.</param>
public sealed record ExpiredTasksParams(TaskState State, DateTimeOffset FinishedBefore, int Max)
{
    /// <summary>Throws when the state is not a finished one or <see cref="Max"/> is out of range.</summary>
    public void Validate()
    {
        if (State is not (TaskState.Succeeded or TaskState.Dead or TaskState.Cancelled))
        {
            throw new ArgumentOutOfRangeException(nameof(State), State, "Only finished tasks (succeeded, dead, cancelled) expire.");
        }
        if (Max is < 1 or > BulkTaskParams.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(Max), Max, $"Max must be 1–{BulkTaskParams.MaxLimit}.");
        }
    }
}
