using Microsoft.Extensions.Logging;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Stores a running task's progress at most a few times a second; the latest report always lands at the end.</summary>
internal sealed class ProgressWriter(INexusStore store, StoreClock clock, long taskId, Guid leaseToken, ILogger logger)
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);
    private readonly Lock _lock = new();
    private TaskProgress? _pending;
    private long _lastWrite = long.MinValue;

    public async ValueTask ReportAsync(TaskProgress progress)
    {
        var now = clock.Time.GetTimestamp();
        lock (_lock)
        {
            _pending = progress;
            if (_lastWrite != long.MinValue && clock.Time.GetElapsedTime(_lastWrite, now) < MinInterval) return;
            _lastWrite = now;
        }
        await FlushAsync().ConfigureAwait(false);
    }

    public async ValueTask FlushAsync()
    {
        TaskProgress? progress;
        lock (_lock)
        {
            progress = _pending;
            _pending = null;
        }
        if (progress is null) return;
        try
        {
            await store.Tasks.SetProgressAsync(new ProgressParams(taskId, leaseToken, progress)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Progress is advisory; losing one report must not fail the task.
            logger.LogDebug(ex, "Storing progress of task {TaskId} failed.", taskId);
        }
    }
}
