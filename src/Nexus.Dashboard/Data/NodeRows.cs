using Microsoft.Extensions.Options;
using Nexus.Dashboard.Access;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Dashboard.Data;

/// <summary>The nodes the caller may see: as the API's <c>/nodes</c>, a caller limited to queues sees only nodes that
/// serve nothing but its queues; stale after three missed heartbeats.</summary>
internal static class NodeRows
{
    public static async Task<IReadOnlyList<NodeInfo>> LoadAsync(INexusStore store, IOptions<NexusOptions> options, IDashboardUser caller, CancellationToken cancellationToken)
    {
        var nodes = await store.Nodes.ListAsync(new ListNodesParams(options.Value.HeartbeatInterval * 3), cancellationToken);
        return [.. nodes.Where(n => caller.CanUseAll(n.Queues))];
    }
}
