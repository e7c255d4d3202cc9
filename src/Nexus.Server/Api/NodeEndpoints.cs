using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/nodes</c>: the engines and external workers, with their latest heartbeat and running tasks.</summary>
internal static class NodeEndpoints
{
    public static void MapNodeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/nodes", ListAsync).Require(Right.Read).WithTags("Nodes")
            .WithSummary("List nodes (engines and external workers) with their last heartbeat and running tasks")
            .Produces<NodeListResponse>().ProducesCommonProblems();
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusStore store, IOptions<NexusOptions> options)
    {
        var nodes = store.Nodes;
        var list = await nodes.ListAsync(new ListNodesParams(StaleAfter(options.Value)), http.RequestAborted);
        // A node's running count and plugins are those of every queue it serves: a caller limited to queues sees only
        // the nodes that serve nothing but its queues (an engine of every queue is nobody's in particular).
        var caller = Caller.From(http.User);
        return Results.Ok(new NodeListResponse([.. list.Where(n => caller.CanUseAll(n.Queues)).Select(n => new NodeResponse(
            n.Id, n.Kind, n.Host, n.StartedAt, n.LastSeenAt, n.Concurrency, n.Running, n.Queues, n.Plugins, n.Stale ? "stale" : "alive"))]));
    }

    /// <summary>A node unseen for more than three heartbeat intervals is stale: one late beat is not enough to say so.</summary>
    internal static TimeSpan StaleAfter(NexusOptions options) => options.HeartbeatInterval * 3;
}
