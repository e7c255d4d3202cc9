using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>The one maintenance leader election of a process, shared by every leader-only loop: each call renews
/// this node's lease on the store's leader row (or finds another node holding it); the store decides, by its clock.</summary>
internal sealed class LeaderElector(ILeaderStore leaders, NexusOptions options, StoreClock clock)
{
    /// <summary>The leader row's name.</summary>
    public const string Name = "maintenance";

    /// <summary>How long a leadership lasts without renewal: three rescue intervals, so another node takes over
    /// maintenance soon after the leader dies.</summary>
    public TimeSpan Ttl => options.RescueInterval * 3;

    public Task<bool> LeadsAsync(CancellationToken stop) =>
        leaders.TryAcquireAsync(new LeaderParams(Name, options.NodeId, Ttl) { Now = clock.Now }, stop);

    public Task ResignAsync(CancellationToken stop) =>
        leaders.ResignAsync(new LeaderParams(Name, options.NodeId, Ttl) { Now = clock.Now }, stop);
}
