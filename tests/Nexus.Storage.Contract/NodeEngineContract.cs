using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>The engine in the node list: registered at start, refreshed every heartbeat interval, removed on graceful
/// shutdown; the maintenance leader prunes nodes unseen for too long.</summary>
public abstract class NodeEngineContract : EngineHarness
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(20);

    private INodeStore Nodes => LastStore!.Nodes ?? throw new InvalidOperationException($"The {LastStore.Driver} store has no node store.");

    private async Task<NodeInfo?> FindAsync(string id) =>
        (await Nodes.ListAsync(new ListNodesParams(TimeSpan.FromMinutes(1)) { Id = id })).SingleOrDefault();

    [Fact]
    public async Task Start_RegistersTheEngine_AndStop_RemovesIt()
    {
        var (host, _) = await StartAsync(o =>
        {
            o.NodeId = "engine-registered";
            o.Concurrency = 3;
            o.Queues = ["default", "reports"];
        });

        var node = await FindAsync("engine-registered");
        Assert.NotNull(node);
        Assert.Equal(NodeKinds.Engine, node.Kind);
        Assert.Equal(Environment.MachineName, node.Host);
        Assert.Equal(Environment.ProcessId, node.Pid);
        Assert.Equal(3, node.Concurrency);
        Assert.Equal(["default", "reports"], node.Queues);
        Assert.Equal(["test.probe", "workflow.start", "workflow.timer"], node.Plugins); // every engine runs the workflows' timers and starts
        Assert.False(node.Stale);

        await host.StopAsync();

        Assert.Null(await FindAsync("engine-registered"));
    }

    [Fact]
    public async Task AFirstClaimThatDoesNotReturn_HoldsTheStartOnlyBriefly()
    {
        // The engine's other loops, its node row and its listener start after the first claim has returned, so that
        // they do not slow it on a cold pool; a claim that hangs holds them back only for a short grace.
        ClaimGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var starting = StartAsync(o => o.NodeId = "engine-slow-claim");
        await Eventually.WithinAsync(ClaimEntered.Task, because: "the engine to send its first claim");
        var claimSent = await ClaimEntered.Task;

        // The rescuer ticks at start, but not beside the first claim: only once the grace (1 s) has passed. Both
        // moments are taken in the store as they happen (a loaded machine delays this test's continuations, not them).
        // The grace's clock starts just before the claim is scheduled, so the gap is 1 s less that scheduling delay;
        // without the grace it would be a few milliseconds. Half the grace tells the two apart on a loaded machine.
        await Eventually.WithinAsync(RescueEntered.Task, because: "the rescuer to start after the grace");
        var gap = System.Diagnostics.Stopwatch.GetElapsedTime(claimSent, await RescueEntered.Task);
        Assert.True(gap >= TimeSpan.FromMilliseconds(500), $"the rescuer started {gap.TotalMilliseconds:F0} ms after the first claim was sent, before it returned");
        await Eventually.WithinAsync(starting, because: "the start to go on without the first claim's answer");
        Assert.False(ClaimGate.Task.IsCompleted);
        Assert.NotNull(await FindAsync("engine-slow-claim"));

        ClaimGate.SetResult();
        var (_, tasks) = await starting;
        var id = (await tasks.SubmitAsync("test.probe", new ProbeArgs { Value = "after a slow first claim" })).Id;
        Assert.Equal(TaskState.Succeeded, (await WaitFinishedAsync(tasks, id)).State);
    }

    [Fact]
    public async Task EveryHeartbeatInterval_TheEngineRefreshesItsLastSeenTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 5, 1, 8, 0, 0, TimeSpan.Zero));
        await StartAsync(o => o.NodeId = "engine-beating", time: clock);
        var first = await FindAsync("engine-beating");
        Assert.Equal(clock.GetUtcNow(), first!.LastSeenAt);

        // The beacon's timer may start after a first advance; advancing by one interval per poll covers both orders.
        var refreshed = await Eventually.UntilAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            return await FindAsync("engine-beating");
        }, n => n is not null && n.LastSeenAt > first.LastSeenAt, step: PollStep, because: "a heartbeat of the node") ?? throw new InvalidOperationException();

        Assert.True(refreshed.LastSeenAt <= clock.GetUtcNow());
        Assert.Equal(first.StartedAt, refreshed.StartedAt);
    }

    [Fact]
    public async Task TheMaintenanceLeader_PrunesNodesUnseenForLongerThanNodeRetention()
    {
        LastStore = await CreateStoreAsync();
        await LastStore.MigrateAsync();
        var now = DateTimeOffset.UtcNow;
        var old = new NodeHeartbeat { Id = "crashed-long-ago", Kind = NodeKinds.External, StartedAt = now.AddHours(-3), Now = now.AddHours(-2) };
        await Nodes.UpsertAsync(old);

        await StartAsync(o =>
        {
            o.NodeId = "engine-pruning";
            o.NodeRetention = TimeSpan.FromHours(1);
            o.RetentionInterval = TimeSpan.FromMilliseconds(100);
        });

        await Eventually.UntilAsync(() => FindAsync("crashed-long-ago"), n => n is null, step: PollStep, because: "pruning the unseen node");
        Assert.NotNull(await FindAsync("engine-pruning"));
    }
}
