using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Claims ready tasks in batches sized to the executor's claim room and hands them to the executor.
/// Sleeps until woken (a local submit or a store notification) or the poll interval passes. <see cref="FirstClaim"/>
/// completes when the first claim has returned (or failed): the engine starts its other loops after it.</summary>
internal sealed class Dispatcher(
    INexusStore store,
    PluginRegistry registry,
    NexusOptions options,
    Executor executor,
    WakeSignal wake,
    StoreClock clock,
    ILogger logger)
{
    private readonly TaskCompletionSource _firstClaim = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first claim of any of this dispatcher's loops has returned or failed.</summary>
    public Task FirstClaim => _firstClaim.Task;

    public async Task RunAsync(CancellationToken stopClaiming)
    {
        try
        {
            await ClaimLoopAsync(stopClaiming).ConfigureAwait(false);
        }
        finally
        {
            // Stopped before any claim returned: nobody waits for one that will not come.
            _firstClaim.TrySetResult();
        }
    }

    private async Task ClaimLoopAsync(CancellationToken stopClaiming)
    {
        var queues = options.Queues is { Count: > 0 } q ? q.ToArray() : null;
        var plugins = registry.All.Select(p => p.Name).ToArray();
        var mayHaveWork = true;
        var failures = 0;
        while (!stopClaiming.IsCancellationRequested)
        {
            try
            {
                var room = executor.ClaimRoom;
                if (room <= 0)
                {
                    await executor.SlotFreed.WaitAsync(Timeout.InfiniteTimeSpan, stopClaiming).ConfigureAwait(false);
                    continue;
                }
                // Short tasks free room one by one; claiming each time would make many tiny round trips. While this
                // process still holds work, wait for half a batch of room or the cooldown, whichever comes first.
                var worthwhile = Math.Max(1, executor.MaxClaim / 2);
                if (room < worthwhile && executor.InFlight > 0)
                {
                    // Real time on purpose: a throughput heuristic, not a decision about tasks.
                    var since = System.Diagnostics.Stopwatch.GetTimestamp();
                    while (executor.ClaimRoom < worthwhile && executor.InFlight > 0
                        && System.Diagnostics.Stopwatch.GetElapsedTime(since) < options.ClaimCooldown)
                    {
                        await executor.SlotFreed.WaitAsync(options.ClaimCooldown, stopClaiming).ConfigureAwait(false);
                    }
                    room = executor.ClaimRoom;
                }
                if (!mayHaveWork)
                {
                    await wake.WaitAsync(options.PollInterval, stopClaiming).ConfigureAwait(false);
                    room = executor.ClaimRoom;
                }
                var max = executor.Reserve(room);
                if (max == 0) continue;
                IReadOnlyList<TaskRecord> claimed;
                try
                {
                    claimed = await store.Tasks.ClaimAsync(
                        new ClaimParams(options.NodeId, max, options.LeaseDuration) { Queues = queues, Plugins = plugins, Now = clock.Now },
                        stopClaiming).ConfigureAwait(false);
                }
                catch
                {
                    executor.Release(max);
                    _firstClaim.TrySetResult();
                    throw;
                }
                executor.Accept(claimed, max);
                _firstClaim.TrySetResult();
                mayHaveWork = claimed.Count == max;
                failures = 0;
            }
            catch (OperationCanceledException) when (stopClaiming.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                var backoff = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, Math.Min(failures, 6)), 5000));
                logger.LogError(ex, "Claiming tasks failed ({Failures} in a row); retrying in {Backoff}.", failures, backoff);
                mayHaveWork = true;
                try
                {
                    await Task.Delay(backoff, clock.Time, stopClaiming).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
