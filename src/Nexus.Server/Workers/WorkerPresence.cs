using Nexus.Contracts;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Workers;

/// <summary>Keeps an external worker's last-seen time fresh from its lease, heartbeat and complete calls, with at most
/// one write per worker per half heartbeat interval on this server: a busy worker calls far more often than that.
/// It also remembers each worker's queues, so that heartbeat and complete can refuse a caller of other queues without
/// a database read per call.</summary>
internal sealed class WorkerPresence(INexusStore store, IOptions<NexusOptions> options, TimeProvider time)
{
    private const int MaxRemembered = 10_000;
    private readonly ConcurrentDictionary<string, long> _lastTouch = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _queues = new(StringComparer.Ordinal);

    public async Task SeenAsync(string workerId, CancellationToken cancellationToken)
    {
        var nodes = store.Nodes;
        var now = time.GetTimestamp();
        if (_lastTouch.TryGetValue(workerId, out var last) && time.GetElapsedTime(last, now) < options.Value.HeartbeatInterval / 2) return;
        _lastTouch[workerId] = now;
        await nodes.TouchAsync(new NodeRefParams(workerId), cancellationToken);
    }

    /// <summary>Remembers the queues of a worker just registered or loaded.</summary>
    public void Remember(string workerId, IReadOnlyList<string> queues)
    {
        if (_queues.Count >= MaxRemembered) _queues.Clear();
        _queues[workerId] = queues;
    }

    /// <summary>Throws 404 unless <paramref name="workerId"/> is a registered worker whose queues the caller may all
    /// use (remembered, or read once from the store).</summary>
    public async Task EnsureVisibleAsync(string workerId, Caller caller, CancellationToken cancellationToken)
    {
        if (_queues.TryGetValue(workerId, out var queues))
        {
            if (!caller.CanUseAll(queues)) throw WorkerTaskEndpoints.NotRegistered(workerId);
            return;
        }
        Remember(workerId, (await WorkerTaskEndpoints.LoadWorkerAsync(store, workerId, caller, cancellationToken)).Queues);
    }

    public void Forget(string workerId)
    {
        _lastTouch.TryRemove(workerId, out _);
        _queues.TryRemove(workerId, out _);
    }
}
