using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>The one maintenance leader election of a process, shared by every leader-only loop: a call renews this
/// node's lease on the store's leader row (or finds another node holding it); the store decides, by its clock. A
/// leader renews at most once per <see cref="RenewEvery"/> (a third of the lease): the loops ask several times a second
/// between them, and each renewal is a committed write (on SQLite, a turn of the one write lock).</summary>
internal sealed class LeaderElector(ILeaderStore leaders, NexusOptions options, StoreClock clock)
{
    /// <summary>The leader row's name.</summary>
    public const string Name = "maintenance";

    /// <summary>How long a leadership lasts without renewal: three rescue intervals, so another node takes over
    /// maintenance soon after the leader dies.</summary>
    public TimeSpan Ttl => options.RescueInterval * 3;

    private volatile bool _leads;
    private long _renewedAt;

    /// <summary>How long a renewed leadership is taken as held without asking the store again: a third of
    /// <see cref="Ttl"/>, counted from before the renewal was sent, so the lease in the store outlives it.</summary>
    public TimeSpan RenewEvery => Ttl / 3;

    /// <summary>Whether this node held the leadership at its last election (for the <c>nexus.maintenance.leader</c> gauge).</summary>
    public bool Leads => _leads;

    public async Task<bool> LeadsAsync(CancellationToken stop)
    {
        var time = clock.Time;
        var sent = time.GetTimestamp();
        if (_leads && time.GetElapsedTime(Volatile.Read(ref _renewedAt), sent) < RenewEvery) return true;
        try
        {
            var leads = _leads = await leaders.TryAcquireAsync(new LeaderParams(Name, options.NodeId, Ttl) { Now = clock.Now }, stop).ConfigureAwait(false);
            if (leads) Volatile.Write(ref _renewedAt, sent);
            return leads;
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
