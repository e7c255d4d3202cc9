namespace Nexus.Storage;

/// <summary>
/// The nodes that work on tasks: engines (registered by the engine itself) and external workers (registered over
/// HTTP). A node reports itself with a heartbeat; the list counts its running tasks from the tasks table (running
/// tasks grouped by lease holder), so that number is true, never self-reported.
/// </summary>
public interface INodeStore
{
    /// <summary>Inserts or refreshes a node: every field is replaced and its last-seen time set to the store's clock.</summary>
    Task UpsertAsync(NodeHeartbeat node, CancellationToken cancellationToken = default);

    /// <summary>Sets a node's last-seen time to the store's clock. Returns false when there is no such node.</summary>
    Task<bool> TouchAsync(NodeRefParams p, CancellationToken cancellationToken = default);

    /// <summary>Lists nodes (or the one named by <see cref="ListNodesParams.Id"/>), ordered by id, with their running
    /// task counts and whether they are stale.</summary>
    Task<IReadOnlyList<NodeInfo>> ListAsync(ListNodesParams p, CancellationToken cancellationToken = default);

    /// <summary>Removes a node. Returns false when there is no such node.</summary>
    Task<bool> RemoveAsync(NodeRefParams p, CancellationToken cancellationToken = default);

    /// <summary>Removes nodes not seen for <see cref="PruneNodesParams.UnseenFor"/>; returns how many.</summary>
    Task<int> PruneAsync(PruneNodesParams p, CancellationToken cancellationToken = default);
}

/// <summary>The kinds of node.</summary>
public static class NodeKinds
{
    /// <summary>A Nexus engine (a process that runs <c>AddNexus</c> with workers).</summary>
    public const string Engine = "engine";
    /// <summary>A worker in any language that leases tasks over HTTP.</summary>
    public const string External = "external";
}

/// <summary>What a node says about itself.</summary>
public sealed record NodeHeartbeat
{
    /// <summary>The node id: the lease holder name its claims carry. 1–128 characters.</summary>
    public required string Id { get; init; }
    /// <summary><see cref="NodeKinds.Engine"/> or <see cref="NodeKinds.External"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The machine it runs on, as it names itself.</summary>
    public string Host { get; init; } = "";
    /// <summary>Its process id, when known.</summary>
    public int? Pid { get; init; }
    /// <summary>Tasks it runs at once.</summary>
    public int Concurrency { get; init; }
    /// <summary>Queues it takes tasks from; empty means every queue.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
    /// <summary>Plugins it runs.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];
    /// <summary>When it started.</summary>
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A node as listed.</summary>
public sealed record NodeInfo
{
    /// <summary>The node id.</summary>
    public required string Id { get; init; }
    /// <summary><see cref="NodeKinds.Engine"/> or <see cref="NodeKinds.External"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The machine it runs on.</summary>
    public string Host { get; init; } = "";
    /// <summary>Its process id, when known.</summary>
    public int? Pid { get; init; }
    /// <summary>Tasks it runs at once.</summary>
    public int Concurrency { get; init; }
    /// <summary>Queues it takes tasks from; empty means every queue.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
    /// <summary>Plugins it runs.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];
    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>Its latest heartbeat (store clock).</summary>
    public DateTimeOffset LastSeenAt { get; init; }
    /// <summary>Tasks whose lease it holds now (from the tasks table).</summary>
    public int Running { get; init; }
    /// <summary>True when its latest heartbeat is older than <see cref="ListNodesParams.StaleAfter"/>.</summary>
    public bool Stale { get; init; }
}

/// <summary>Names one node.</summary>
/// <param name="Id">The node id.</param>
public sealed record NodeRefParams(string Id)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="INodeStore.ListAsync"/>.</summary>
/// <param name="StaleAfter">A node unseen for longer than this is listed as stale.</param>
public sealed record ListNodesParams(TimeSpan StaleAfter)
{
    /// <summary>Only this node; null lists every node.</summary>
    public string? Id { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="INodeStore.PruneAsync"/>.</summary>
/// <param name="UnseenFor">Nodes whose latest heartbeat is older than this are removed.</param>
public sealed record PruneNodesParams(TimeSpan UnseenFor)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}
