using System.Collections;
using System.Globalization;
using Nexus.Tasks;

namespace Nexus.Observability;

/// <summary>The logging scope of one attempt: every line logged while it runs (the engine's and the plugin's own
/// <c>TaskContext.Logger</c>) carries TaskId, Plugin, Queue, Attempt and, when the task is traced, TraceId. One
/// small object per attempt instead of a dictionary.</summary>
internal sealed class TaskLogScope(TaskRecord task, string? traceId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => traceId is null ? 4 : 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskId", task.Id),
        1 => new("Plugin", task.Plugin),
        2 => new("Queue", task.Queue),
        3 => new("Attempt", task.Attempt),
        4 when traceId is not null => new("TraceId", traceId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Task {task.Id} ({task.Plugin}, queue {task.Queue}, attempt {task.Attempt})");
}
