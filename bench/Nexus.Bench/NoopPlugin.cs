using System.Diagnostics;
using Nexus.Plugins;

namespace Nexus.Bench;

/// <summary>Args of the no-op plugin: the task's index in the workload.</summary>
public sealed record NoopArgs(int N);

/// <summary>Records each start (count and time) per task index, so the harness can check exactly-once and latency.</summary>
public sealed class BenchProbe
{
    private int[] _runs = [];
    private long[] _startTicks = [];
    private int _started;

    public int Started => Volatile.Read(ref _started);

    public void Reset(int count)
    {
        _runs = new int[count];
        _startTicks = new long[count];
        _started = 0;
    }

    public void OnStart(int n)
    {
        _startTicks[n] = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _runs[n]) == 1) Interlocked.Increment(ref _started);
    }

    public long StartTicks(int n) => _startTicks[n];

    /// <summary>The earliest start recorded since the last reset (0 when none).</summary>
    public long FirstStartTicks() => _startTicks.Where(t => t != 0).DefaultIfEmpty(0).Min();

    /// <summary>(lost, duplicated) over the first <paramref name="count"/> indexes.</summary>
    public (int Lost, int Duplicated) Check(int count)
    {
        int lost = 0, dup = 0;
        for (var i = 0; i < count; i++)
        {
            if (_runs[i] == 0) lost++;
            else if (_runs[i] > 1) dup++;
        }
        return (lost, dup);
    }
}

[TaskPlugin("bench.noop", Description = "Does nothing; records that it ran.")]
public sealed class NoopPlugin(BenchProbe probe) : ITaskPlugin<NoopArgs, int>
{
    public ValueTask<int> ExecuteAsync(NoopArgs args, TaskContext context)
    {
        probe.OnStart(args.N);
        return ValueTask.FromResult(args.N);
    }
}
