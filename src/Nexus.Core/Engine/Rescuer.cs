using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, returns tasks whose lease expired (crashed or frozen
/// workers) to the queue, in bounded batches so no transaction runs long.</summary>
internal sealed class Rescuer(INexusStore store, NexusOptions options, WakeSignal wake, StoreClock clock, ILogger logger, Observability.NexusMetrics metrics)
{
    public const string LeaderName = "maintenance";
    private const int BatchSize = 1000;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.RescueInterval, clock.Time);
        try
        {
            do
            {
                await RunOnceAsync(stop).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async Task RunOnceAsync(CancellationToken stop)
    {
        try
        {
            var ttl = options.RescueInterval * 3;
            if (!await store.Leader.TryAcquireAsync(new LeaderParams(LeaderName, options.NodeId, ttl) { Now = clock.Now }, stop).ConfigureAwait(false))
            {
                return;
            }
            RescueResult result;
            do
            {
                result = await store.Tasks.RescueAsync(new RescueParams(BatchSize) { Now = clock.Now }, stop).ConfigureAwait(false);
                if (result.Requeued + result.Dead > 0)
                {
                    metrics.Rescued(result);
                    logger.LogWarning("Rescued {Requeued} tasks whose lease expired; {Dead} of them had no attempts left and are dead.", result.Requeued, result.Dead);
                    if (result.Requeued > 0) wake.Set();
                }
            }
            while (result.Requeued + result.Dead == BatchSize && !stop.IsCancellationRequested);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            logger.LogError(ex, "Maintenance (rescue of expired leases) failed; will retry next interval.");
        }
    }
}
