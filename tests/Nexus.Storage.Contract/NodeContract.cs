using Nexus.Storage;

namespace Nexus.Storage.Contract;

/// <summary>Nodes: upserted by heartbeats, listed with true running counts and staleness, removed, pruned.</summary>
public abstract class NodeContract : StoreContract
{
    private INodeStore Nodes => Store.Nodes ?? throw new InvalidOperationException($"The {Store.Driver} store has no node store.");

    private static NodeHeartbeat Beat(string id, string kind = NodeKinds.Engine, DateTimeOffset? now = null) => new()
    {
        Id = id,
        Kind = kind,
        Host = "host-" + id,
        Pid = 4242,
        Concurrency = 16,
        Queues = ["default", "images"],
        Plugins = ["image.generate", "text.generate"],
        StartedAt = T0.AddMinutes(-5),
        Now = now ?? T0,
    };

    private Task<IReadOnlyList<NodeInfo>> ListAsync(DateTimeOffset now, TimeSpan? staleAfter = null, string? id = null) =>
        Nodes.ListAsync(new ListNodesParams(staleAfter ?? TimeSpan.FromSeconds(30)) { Now = now, Id = id });

    [Fact]
    public async Task Upsert_StoresEveryField_AndListReadsItBack()
    {
        await Nodes.UpsertAsync(Beat("n1"));

        var node = Assert.Single(await ListAsync(T0));
        Assert.Equal(("n1", NodeKinds.Engine, "host-n1", 4242, 16), (node.Id, node.Kind, node.Host, node.Pid, node.Concurrency));
        Assert.Equal(["default", "images"], node.Queues);
        Assert.Equal(["image.generate", "text.generate"], node.Plugins);
        Assert.Equal(T0.AddMinutes(-5), node.StartedAt);
        Assert.Equal(T0, node.LastSeenAt);
        Assert.Equal(0, node.Running);
        Assert.False(node.Stale);
    }

    [Fact]
    public async Task Upsert_Again_ReplacesTheRow_AndMovesLastSeen()
    {
        await Nodes.UpsertAsync(Beat("n1"));
        await Nodes.UpsertAsync(Beat("n1", NodeKinds.External, T0.AddSeconds(10)) with { Plugins = ["js.sum"], Pid = null });

        var node = Assert.Single(await ListAsync(T0.AddSeconds(10)));
        Assert.Equal(NodeKinds.External, node.Kind);
        Assert.Equal(["js.sum"], node.Plugins);
        Assert.Null(node.Pid);
        Assert.Equal(T0.AddSeconds(10), node.LastSeenAt);
    }

    [Fact]
    public async Task List_MarksNodesUnseenLongerThanStaleAfter_AndFiltersById()
    {
        await Nodes.UpsertAsync(Beat("old"));
        await Nodes.UpsertAsync(Beat("fresh", now: T0.AddSeconds(40)));

        var nodes = await ListAsync(T0.AddSeconds(45), TimeSpan.FromSeconds(30));

        Assert.Equal(["fresh", "old"], nodes.Select(n => n.Id));
        Assert.False(nodes[0].Stale);
        Assert.True(nodes[1].Stale);
        Assert.Equal("old", Assert.Single(await ListAsync(T0, id: "old")).Id);
        Assert.Empty(await ListAsync(T0, id: "missing"));
    }

    [Fact]
    public async Task List_CountsRunningTasksByLeaseHolder_FromTheTasksTable()
    {
        await Nodes.UpsertAsync(Beat("node-a"));
        await Nodes.UpsertAsync(Beat("node-b"));
        for (var i = 0; i < 4; i++) await InsertAsync(Task());
        await ClaimAsync(max: 3, node: "node-a");
        var other = Assert.Single(await ClaimAsync(max: 1, node: "node-b"));
        await CompleteAsync(new TaskCompletion(other.Id, other.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "{}" });

        var nodes = await ListAsync(T0);

        Assert.Equal(3, nodes.Single(n => n.Id == "node-a").Running);
        Assert.Equal(0, nodes.Single(n => n.Id == "node-b").Running);
    }

    [Fact]
    public async Task Touch_MovesLastSeenOfAnExistingNodeOnly()
    {
        await Nodes.UpsertAsync(Beat("n1"));

        Assert.True(await Nodes.TouchAsync(new NodeRefParams("n1") { Now = T0.AddMinutes(1) }));
        Assert.False(await Nodes.TouchAsync(new NodeRefParams("nobody") { Now = T0.AddMinutes(1) }));

        Assert.Equal(T0.AddMinutes(1), Assert.Single(await ListAsync(T0.AddMinutes(1))).LastSeenAt);
    }

    [Fact]
    public async Task Remove_DeletesOneNode()
    {
        await Nodes.UpsertAsync(Beat("n1"));
        await Nodes.UpsertAsync(Beat("n2"));

        Assert.True(await Nodes.RemoveAsync(new NodeRefParams("n1")));
        Assert.False(await Nodes.RemoveAsync(new NodeRefParams("n1")));

        Assert.Equal(["n2"], (await ListAsync(T0)).Select(n => n.Id));
    }

    [Fact]
    public async Task Prune_RemovesOnlyNodesUnseenForLongerThanTheLimit()
    {
        await Nodes.UpsertAsync(Beat("gone"));
        await Nodes.UpsertAsync(Beat("here", now: T0.AddMinutes(50)));

        var pruned = await Nodes.PruneAsync(new PruneNodesParams(TimeSpan.FromHours(1)) { Now = T0.AddMinutes(61) });

        Assert.Equal(1, pruned);
        Assert.Equal(["here"], (await ListAsync(T0.AddMinutes(61))).Select(n => n.Id));
    }
}
