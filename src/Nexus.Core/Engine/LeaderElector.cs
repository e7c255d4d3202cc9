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

    private volatile bool _leads;

    /// <summary>Whether this node held the leadership at its last election (for the <c>nexus.maintenance.leader</c> gauge).</summary>
    public bool Leads => _leads;

    public async Task<bool> LeadsAsync(CancellationToken stop)
    {
        try
        {
            return _leads = await leaders.TryAcquireAsync(new LeaderParams(Name, options.NodeId, Ttl) { Now = clock.Now }, stop).ConfigureAwait(false);
        }
        catch
        {
            // Unable to renew: another node may take over once the lease lapses, so do not claim to lead meanwhile.
            _leads = false;
            throw;
        }
    }

    public async Task ResignAsync(CancellationToken stop)
    {
        _leads = false;
        await leaders.ResignAsync(new LeaderParams(Name, options.NodeId, Ttl) { Now = clock.Now }, stop).ConfigureAwait(false);
    }
}
