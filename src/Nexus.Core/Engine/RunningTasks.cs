using System.Collections.Concurrent;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>The attempts this process is running, with the means to stop each one.</summary>
internal sealed class RunningTasks
{
    private readonly ConcurrentDictionary<long, RunningTask> _byId = new();

    public int Count => _byId.Count;

    public void Add(RunningTask task) => _byId[task.Record.Id] = task;

    public void Remove(long id) => _byId.TryRemove(id, out _);

    public bool TryGet(long id, out RunningTask task) => _byId.TryGetValue(id, out task!);

    public IReadOnlyList<LeaseRef> Leases() =>
        [.. _byId.Values.Select(t => new LeaseRef(t.Record.Id, t.Record.LeaseToken!.Value))];

    public IReadOnlyList<RunningTask> All() => [.. _byId.Values];
}

/// <summary>One attempt in flight.</summary>
internal sealed class RunningTask(TaskRecord record) : IDisposable
{
    public TaskRecord Record { get; } = record;

    /// <summary>Fires when an operator cancelled the task.</summary>
    public CancellationTokenSource Cancel { get; } = new();

    /// <summary>Fires when the lease was lost: the result would be rejected, so stop working.</summary>
    public CancellationTokenSource LeaseLost { get; } = new();

    public void Dispose()
    {
        Cancel.Dispose();
        LeaseLost.Dispose();
    }
}
