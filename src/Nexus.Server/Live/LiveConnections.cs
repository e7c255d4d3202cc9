using System.Collections.Concurrent;

namespace Nexus.Server.Live;

/// <summary>The live connections of this node by device id: one device may hold several connections, each with its
/// own subscriptions; a connection leaves when it closes (its subscriptions end with it).</summary>
internal sealed class LiveConnections
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, LiveConnection>> _byDevice = new(StringComparer.Ordinal);

    public void Add(LiveConnection connection) =>
        _byDevice.GetOrAdd(connection.Device, _ => new(StringComparer.Ordinal))[connection.Id] = connection;

    public void Remove(LiveConnection connection)
    {
        if (_byDevice.TryGetValue(connection.Device, out var set))
        {
            set.TryRemove(connection.Id, out _);
            if (set.IsEmpty) _byDevice.TryRemove(KeyValuePair.Create(connection.Device, set));
        }
    }

    /// <summary>Open connections of a device.</summary>
    public int Of(string device) => _byDevice.TryGetValue(device, out var set) ? set.Count : 0;

    private int _cutOffs;

    /// <summary>Connections cut off as slow consumers since start.</summary>
    public int CutOffs => Volatile.Read(ref _cutOffs);

    public void CountCutOff() => Interlocked.Increment(ref _cutOffs);

    /// <summary>Open connections.</summary>
    public int Count => _byDevice.Values.Sum(s => s.Count);
}
