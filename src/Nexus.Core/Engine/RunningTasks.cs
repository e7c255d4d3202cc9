using System.Collections.Concurrent;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>The attempts this process is running, with the means to stop each one.</summary>
internal sealed class RunningTasks
{
    private readonly ConcurrentDictionary<long, RunningTask> _byId = new();

    public int Count => _byId.Count;

    /// <summary>Adds an attempt. An attempt of the same task still running here is stale: this process has just claimed
    /// the task again, which proves that attempt's lease was lost (rescued while it ran on through a pause longer than
    /// the lease). It is told so, and the new attempt takes its place for heartbeats and cancellation.</summary>
    public void Add(RunningTask task)
    {
        RunningTask? stale = null;
        _byId.AddOrUpdate(task.Record.Id, task, (_, existing) =>
        {
            stale = existing;
            return task;
        });
        stale?.LoseLease();
    }

    /// <summary>Removes this attempt, unless a newer attempt of the same task has replaced it: a stale attempt ending
    /// must not take the newer one's heartbeats with it (whose lease would then expire, and so on for every attempt).</summary>
    public void Remove(RunningTask task) => _byId.TryRemove(KeyValuePair.Create(task.Record.Id, task));

    public bool TryGet(long id, out RunningTask task) => _byId.TryGetValue(id, out task!);

    public IReadOnlyList<LeaseRef> Leases() =>
        [.. _byId.Values.Select(t => new LeaseRef(t.Record.Id, t.Record.LeaseToken!.Value))];

    public IReadOnlyList<RunningTask> All() => [.. _byId.Values];
}

/// <summary>One attempt in flight.</summary>
internal sealed class RunningTask(TaskRecord record) : IDisposable
{
    public TaskRecord Record { get; } = record;

    /// <summary>When the attempt started (a <see cref="TimeProvider"/> timestamp).</summary>
    public long StartedAt { get; set; }

    /// <summary>How long the attempt ran, once it has an outcome.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>True once the attempt has an outcome (handed to the completer, or handed back unstarted).</summary>
    public bool Finished
    {
        get => Volatile.Read(ref _finished);
        set => Volatile.Write(ref _finished, value);
    }

    private bool _finished;

    /// <summary>Fires when an operator cancelled the task.</summary>
    public CancellationTokenSource Cancel { get; } = new();

    /// <summary>Fires when the lease was lost: the result would be rejected, so stop working.</summary>
    public CancellationTokenSource LeaseLost { get; } = new();

    /// <summary>Fires <see cref="LeaseLost"/> without running the attempt's callbacks on this thread; harmless once the
    /// attempt has ended.</summary>
    public void LoseLease()
    {
        try
        {
            _ = LeaseLost.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended meanwhile.
        }
    }

    public void Dispose()
    {
        Cancel.Dispose();
        LeaseLost.Dispose();
    }
}
