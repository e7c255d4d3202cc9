using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Server.Workers;

/// <summary>Keeps an external worker's last-seen time fresh from its lease, heartbeat and complete calls, with at most
/// one write per worker per half heartbeat interval on this server: a busy worker calls far more often than that.</summary>
internal sealed class WorkerPresence(INexusStore store, IOptions<NexusOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _lastTouch = new(StringComparer.Ordinal);

    public async Task SeenAsync(string workerId, CancellationToken cancellationToken)
    {
        if (store.Nodes is not { } nodes) return;
        var now = time.GetTimestamp();
        if (_lastTouch.TryGetValue(workerId, out var last) && time.GetElapsedTime(last, now) < options.Value.HeartbeatInterval / 2) return;
        _lastTouch[workerId] = now;
        await nodes.TouchAsync(new NodeRefParams(workerId), cancellationToken);
    }

    public void Forget(string workerId) => _lastTouch.TryRemove(workerId, out _);
}
