using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, removes nodes not seen for <see cref="NexusOptions.NodeRetention"/>
/// (crashed engines, workers that went away without deregistering), every <see cref="NexusOptions.RetentionInterval"/>.</summary>
internal sealed class NodePruner(INodeStore nodes, NexusOptions options, StoreClock clock, ILogger logger, LeaderElector leader)
    : BackgroundLoop(clock.Time, logger, leader)
{
    protected override string What => "pruning of unseen nodes";

    protected override TimeSpan Interval => options.RetentionInterval;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        var pruned = await nodes.PruneAsync(new PruneNodesParams(options.NodeRetention) { Now = clock.Now }, stop).ConfigureAwait(false);
        if (pruned > 0) Logger.LogInformation("Removed {Count} nodes not seen for {Retention} from the node list.", pruned, options.NodeRetention);
    }
}
