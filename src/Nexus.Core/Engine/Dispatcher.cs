using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Claims ready tasks in batches sized to the free worker slots and hands them to the executor.
/// Sleeps until woken (a local submit or a store notification) or the poll interval passes.</summary>
internal sealed class Dispatcher(
    INexusStore store,
    PluginRegistry registry,
    NexusOptions options,
    Executor executor,
    WakeSignal wake,
    StoreClock clock,
    ILogger logger)
{
    public async Task RunAsync(CancellationToken stopClaiming)
    {
        var queues = options.Queues is { Count: > 0 } q ? q.ToArray() : null;
        var plugins = registry.All.Select(p => p.Name).ToArray();
        var mayHaveWork = true;
        var failures = 0;
        while (!stopClaiming.IsCancellationRequested)
        {
            try
            {
                var free = executor.FreeSlots;
                if (free <= 0)
                {
                    await executor.SlotFreed.WaitAsync(Timeout.InfiniteTimeSpan, stopClaiming).ConfigureAwait(false);
                    continue;
                }
                // Short tasks free slots one by one; claiming each time would make many tiny round trips. While
                // workers are busy, wait for half a batch of free slots or the cooldown, whichever comes first.
                var worthwhile = Math.Max(1, Math.Min(options.ClaimBatchSize, options.Concurrency) / 2);
                if (free < worthwhile && executor.InFlight > 0)
                {
                    // Real time on purpose: a throughput heuristic, not a decision about tasks.
                    var since = System.Diagnostics.Stopwatch.GetTimestamp();
                    while (executor.FreeSlots < worthwhile && System.Diagnostics.Stopwatch.GetElapsedTime(since) < options.ClaimCooldown)
                    {
                        await executor.SlotFreed.WaitAsync(options.ClaimCooldown, stopClaiming).ConfigureAwait(false);
                    }
                    free = executor.FreeSlots;
                }
                if (!mayHaveWork)
                {
                    await wake.WaitAsync(options.PollInterval, stopClaiming).ConfigureAwait(false);
                }
                var max = executor.Reserve(Math.Min(free, options.ClaimBatchSize));
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
                    throw;
                }
                foreach (var task in claimed) executor.Start(task);
                executor.Release(max - claimed.Count);
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
