using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, removes nodes not seen for <see cref="NexusOptions.NodeRetention"/>
/// (crashed engines, workers that went away without deregistering), every <see cref="NexusOptions.RetentionInterval"/>.</summary>
internal sealed class NodePruner(INodeStore nodes, INexusStore store, NexusOptions options, StoreClock clock, ILogger logger)
{
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
        try
        {
            // The rescuer's lease length: a longer one would delay another node's take-over of maintenance after a crash.
            if (!await store.Leader.TryAcquireAsync(new LeaderParams(Rescuer.LeaderName, options.NodeId, options.RescueInterval * 3) { Now = clock.Now }, stop).ConfigureAwait(false))
            {
                return 0;
            }
            var pruned = await nodes.PruneAsync(new PruneNodesParams(options.NodeRetention) { Now = clock.Now }, stop).ConfigureAwait(false);
            if (pruned > 0) logger.LogInformation("Removed {Count} nodes not seen for {Retention} from the node list.", pruned, options.NodeRetention);
            return pruned;
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            logger.LogError(ex, "Maintenance (pruning of unseen nodes) failed; will retry next interval.");
            return 0;
        }
    }
}
