using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Keeps this engine's row in the node list: registers it at start, refreshes it every heartbeat interval
/// (one round trip for the node, whatever the number of running tasks) and removes it on graceful shutdown.</summary>
internal sealed class NodeBeacon(INodeStore nodes, NexusOptions options, PluginRegistry registry, StoreClock clock, ILogger logger)
{
    private readonly DateTimeOffset _startedAt = clock.Time.GetUtcNow();

    public NodeHeartbeat Heartbeat => new()
    {
        Id = options.NodeId,
        Kind = NodeKinds.Engine,
        Host = Environment.MachineName,
        Pid = Environment.ProcessId,
        Concurrency = options.Concurrency,
        Queues = [.. options.Queues ?? []],
        Plugins = [.. registry.All.Select(p => p.Name)],
        StartedAt = _startedAt,
        Now = clock.Now,
    };

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, clock.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await BeatAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Upserts the whole row rather than touching it, so a node pruned while it was unreachable comes back.</summary>
    public async Task BeatAsync(CancellationToken stop)
    {
        try
        {
            await nodes.UpsertAsync(Heartbeat, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Refreshing node {Node} in the node list failed; will retry next interval.", options.NodeId);
        }
    }

    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await nodes.RemoveAsync(new NodeRefParams(options.NodeId) { Now = clock.Now }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Removing node {Node} from the node list failed; the maintenance leader prunes it later.", options.NodeId);
        }
    }
}
