using Nexus.Hosting;
using Nexus.Tasks;

namespace Nexus.Testing;

/// <summary>Waiting for tasks with a deadline.</summary>
public static class NexusTasksTestExtensions
{
    /// <summary>Waits until the task reaches a terminal state (succeeded, dead or cancelled) and returns it, or throws a
    /// <see cref="TimeoutException"/> naming the task and its last state after <paramref name="timeout"/> (default
    /// <see cref="Eventually.DefaultTimeout"/>, 30 s, real time).</summary>
    public static async Task<TaskRecord> WaitFinishedAsync(this INexusTasks tasks, long id, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var limit = timeout ?? Eventually.DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            return await tasks.WaitAsync(id, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var last = await tasks.GetAsync(id).ConfigureAwait(false);
            throw new TimeoutException(Eventually.TimedOut(limit, $"task {id} to finish") + $"; last seen: {last?.State.ToString() ?? "no such task"}");
        }
    }

    /// <summary>Polls the task until <paramref name="condition"/> holds and returns it; a missing task counts as not yet.
    /// Throws a <see cref="TimeoutException"/> with the last record seen after <paramref name="timeout"/> (default
    /// <see cref="Eventually.DefaultTimeout"/>, 30 s, real time).</summary>
    public static async Task<TaskRecord> WaitUntilAsync(
        this INexusTasks tasks, long id, Func<TaskRecord, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(condition);
        var task = await Eventually.UntilAsync(
            () => tasks.GetAsync(id),
            t => t is not null && condition(t),
            timeout,
            because: because ?? $"task {id} to reach the expected condition").ConfigureAwait(false);
        return task!;
    }
}
