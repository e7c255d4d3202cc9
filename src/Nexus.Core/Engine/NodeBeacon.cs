using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Keeps this engine's row in the node list: registers it at start, refreshes it every heartbeat interval
/// (one round trip for the node, whatever the number of running tasks) and removes it on graceful shutdown.</summary>
internal sealed class NodeBeacon(INodeStore nodes, NexusOptions options, PluginRegistry registry, StoreClock clock, ILogger logger)
    : BackgroundLoop(clock.Time, logger)
{
    private readonly DateTimeOffset _startedAt = clock.Time.GetUtcNow();

    protected override string What => "node beacon";

    protected override TimeSpan Interval => options.HeartbeatInterval;

    protected override Task RunOnceAsync(CancellationToken stop) => BeatAsync(stop);

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

    /// <summary>Upserts the whole row rather than touching it, so a node pruned while it was unreachable comes back.</summary>
    public async Task BeatAsync(CancellationToken stop)
    {
        try
        {
            await nodes.UpsertAsync(Heartbeat, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            Logger.LogWarning(ex, "Refreshing node {Node} in the node list failed; will retry next interval.", options.NodeId);
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
            Logger.LogDebug(ex, "Removing node {Node} from the node list failed; the maintenance leader prunes it later.", options.NodeId);
        }
    }
}
