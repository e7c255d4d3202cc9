using System.Diagnostics;
using Nexus.Plugins;

namespace Nexus.Bench;

/// <summary>Args of the event probe plugin: the event's index in the run and the subscription's index.</summary>
public sealed record EventProbeArgs(int N, int S);

/// <summary>Records each delivery start (count and time) per (subscription, event) pair, so the events-latency workload
/// can check exactly-once and measure emit → delivery start.</summary>
public sealed class EventLatencyProbe
{
    private int[] _runs = [];
    private long[] _startTicks = [];
    private int _events;
    private int _started;

    public int Started => Volatile.Read(ref _started);

    public void Reset(int events, int subscriptions)
    {
        _events = events;
        _runs = new int[events * subscriptions];
        _startTicks = new long[events * subscriptions];
        _started = 0;
    }

    public void OnStart(int n, int s)
    {
        var i = s * _events + n;
        _startTicks[i] = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _runs[i]) == 1) Interlocked.Increment(ref _started);
    }

    public long StartTicks(int n, int s) => Volatile.Read(ref _startTicks[s * _events + n]);

    /// <summary>(lost, duplicated) over every pair.</summary>
    public (int Lost, int Duplicated) Check()
    {
        int lost = 0, dup = 0;
        foreach (var r in _runs)
        {
            if (r == 0) lost++;
            else if (r > 1) dup++;
        }
        return (lost, dup);
    }
}

[TaskPlugin("bench.event", Description = "Does nothing; records that an event delivery started.")]
public sealed class EventProbePlugin(EventLatencyProbe probe) : ITaskPlugin<EventProbeArgs, int>
{
    public ValueTask<int> ExecuteAsync(EventProbeArgs args, TaskContext context)
    {
        probe.OnStart(args.N, args.S);
        return ValueTask.FromResult(args.N);
    }
}
