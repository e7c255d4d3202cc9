namespace Nexus.Contracts;

/// <summary>The node list.</summary>
/// <param name="Nodes">Every node, ordered by id.</param>
public sealed record NodeListResponse(IReadOnlyList<NodeResponse> Nodes);

/// <summary>A node that works on tasks.</summary>
/// <param name="Id">The node id (engines: <c>Nexus:NodeId</c>; external workers: the id they registered with).</param>
/// <param name="Kind"><c>engine</c> or <c>external</c>.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastSeenAt">Its latest heartbeat.</param>
/// <param name="Concurrency">Tasks it runs at once.</param>
/// <param name="Running">Tasks whose lease it holds now (counted from the tasks, not reported by the node).</param>
/// <param name="Queues">Queues it takes tasks from; empty means every queue.</param>
/// <param name="Plugins">Plugins it runs.</param>
/// <param name="Status"><c>alive</c>, or <c>stale</c> when unseen for more than three heartbeat intervals.</param>
public sealed record NodeResponse(
    string Id, string Kind, string Host, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt,
    int Concurrency, int Running, IReadOnlyList<string> Queues, IReadOnlyList<string> Plugins, string Status);
