using Microsoft.Extensions.Logging;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>
/// Stores a running task's progress without making the plugin wait: a report only replaces the pending one, and one
/// background writer stores the latest at most once per <see cref="MinInterval"/> (fenced by the lease, like every
/// attempt write), the first no sooner than one interval after the attempt began. So a short task's progress costs no
/// write of its own: the report still pending when the attempt ends travels with its completion
/// (<see cref="TaskCompletion.Progress"/>), in the completion batch's one statement; a long task's latest report is in
/// the store within about one interval.
/// </summary>
internal sealed class ProgressWriter(INexusStore store, StoreClock clock, long taskId, Guid leaseToken, ILogger logger)
{
    internal static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);
    private readonly Lock _lock = new();
    private TaskProgress? _pending;
    private long _lastWrite = clock.Time.GetTimestamp();
    private bool _writing;
    private bool _ended;

    public ValueTask ReportAsync(TaskProgress progress)
    {
        lock (_lock)
        {
            if (_ended) return ValueTask.CompletedTask;
            _pending = progress;
            if (_writing) return ValueTask.CompletedTask;
            _writing = true;
        }
        _ = Task.Run(WriteLoopAsync);
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends reporting for the attempt and hands over the report no write has stored yet, if any, for the
    /// completion to carry. A background write still in flight is fenced like any write: after the completion it changes
    /// nothing; before it, the completion's newer report replaces it.</summary>
    public TaskProgress? End()
    {
        lock (_lock)
        {
            _ended = true;
            var last = _pending;
            _pending = null;
            return last;
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                var wait = MinInterval - clock.Time.GetElapsedTime(_lastWrite);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock.Time).ConfigureAwait(false);
                TaskProgress? progress;
                lock (_lock)
                {
                    progress = _pending;
                    _pending = null;
                    if (progress is null || _ended)
                    {
                        _writing = false;
                        return;
                    }
                    _lastWrite = clock.Time.GetTimestamp();
                }
                await WriteAsync(progress).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            lock (_lock) _writing = false;
            logger.LogDebug(ex, "The progress writer of task {TaskId} stopped.", taskId);
        }
    }

    private async Task WriteAsync(TaskProgress progress)
    {
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
