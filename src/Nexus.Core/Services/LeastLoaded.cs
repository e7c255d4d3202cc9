using System.Collections.Concurrent;

namespace Nexus.Services;

/// <summary>
/// Least-loaded choice by power of two choices (YARP's default): two different healthy instances drawn at random, the
/// one with fewer invokes in flight from this node wins (ties: the first drawn). It spreads load nearly as well as
/// "least of all" without every node herding onto the same momentarily idle instance.
/// </summary>
public sealed class LeastLoaded(Random random)
{
    private readonly ConcurrentDictionary<string, int> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Invokes in flight from this node to an instance.</summary>
    public int InFlight(string name, string id) => _inFlight.GetValueOrDefault(Key(name, id));

    /// <summary>Picks one of <paramref name="healthy"/>, or null when it is empty.</summary>
    public ServiceInstance? Choose(IReadOnlyList<ServiceInstance> healthy)
    {
        ArgumentNullException.ThrowIfNull(healthy);
        if (healthy.Count == 0) return null;
        if (healthy.Count == 1) return healthy[0];
        int a, b;
        lock (random)
        {
            a = random.Next(healthy.Count);
            b = random.Next(healthy.Count - 1);
        }
        if (b >= a) b++;
        var (first, second) = (healthy[a], healthy[b]);
        return InFlight(second.Name, second.Id) < InFlight(first.Name, first.Id) ? second : first;
    }

    /// <summary>Counts an invoke to the instance until the returned handle is disposed.</summary>
    public IDisposable Start(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var key = Key(instance.Name, instance.Id);
        _inFlight.AddOrUpdate(key, 1, (_, n) => n + 1);
        return new Done(() => _inFlight.AddOrUpdate(key, 0, (_, n) => Math.Max(0, n - 1)));
    }

    private static string Key(string name, string id) => name + "\n" + id;

    private sealed class Done(Action end) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) end();
        }
    }
}
