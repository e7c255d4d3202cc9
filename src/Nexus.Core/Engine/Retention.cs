using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, deletes finished tasks older than their retention, in
/// batches of <see cref="BatchSize"/> (oldest first, one short transaction each), so history never slows the claim
/// path down and no long transaction holds locks.</summary>
internal sealed class Retention(INexusStore store, NexusOptions options, StoreClock clock, ILogger logger)
{
    public const int BatchSize = 1000;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.RetentionInterval, clock.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await RunOnceAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken stop)
    {
        var total = 0;
        try
        {
            // The rescuer's lease length: a longer one would delay another node's take-over of rescues after a crash.
            if (!await store.Leader.TryAcquireAsync(new LeaderParams(Rescuer.LeaderName, options.NodeId, options.RescueInterval * 3) { Now = clock.Now }, stop).ConfigureAwait(false))
            {
                return 0;
            }
            var now = clock.Time.GetUtcNow();
            foreach (var (state, keep) in new[] { (TaskState.Succeeded, options.RetainSucceeded), (TaskState.Cancelled, options.RetainCancelled), (TaskState.Dead, options.RetainDead) })
            {
                if (keep is not { } k) continue;
                var filter = new TaskFilter { State = state, FinishedBefore = now - k };
                int deleted;
                do
                {
                    deleted = await store.Tasks.DeleteManyAsync(new BulkTaskParams(filter, BatchSize) { Now = clock.Now }, stop).ConfigureAwait(false);
                    total += deleted;
                }
                while (deleted == BatchSize && !stop.IsCancellationRequested);
            }
            if (total > 0) logger.LogInformation("Retention deleted {Count} finished tasks past their retention.", total);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            logger.LogError(ex, "Maintenance (retention of finished tasks) failed; will retry next interval.");
        }
        return total;
    }
}
