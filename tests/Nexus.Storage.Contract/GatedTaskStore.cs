using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>The real task store, except that completion writes wait for a gate (lets a test hold outcomes unwritten),
/// and, when <paramref name="afterWrite"/> is given, return only once it opens (the outcome is stored, but the engine
/// has not heard so yet). With <see cref="ClaimGate"/> set, claims wait for it and then claim regardless of their
/// cancellation token (a claim statement that commits while the engine begins to stop).</summary>
internal sealed class GatedTaskStore(ITaskStore inner, Task gate, TaskCompletionSource entered, Task? afterWrite = null, TaskCompletionSource? written = null) : ITaskStore
{
    /// <summary>When set, claims wait until it completes.</summary>
    public Task? ClaimGate { get; init; }

    /// <summary>Completes when a claim first reaches <see cref="ClaimGate"/>, with the Stopwatch timestamp of it.</summary>
    public TaskCompletionSource<long>? ClaimEntered { get; init; }

    /// <summary>Completes when the rescuer first calls, with the Stopwatch timestamp of it.</summary>
    public TaskCompletionSource<long>? RescueEntered { get; init; }

    public async Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken = default)
    {
        entered.TrySetResult();
        await gate.WaitAsync(cancellationToken);
        var accepted = await inner.CompleteAsync(p, cancellationToken);
        written?.TrySetResult();
        if (afterWrite is not null) await afterWrite.WaitAsync(cancellationToken);
        return accepted;
    }

    public Task<long> CountAheadAsync(CountAheadParams p, CancellationToken cancellationToken = default) => inner.CountAheadAsync(p, cancellationToken);
    public Task<IReadOnlyList<SubmitResult>> InsertAsync(InsertTasksParams p, CancellationToken cancellationToken = default) => inner.InsertAsync(p, cancellationToken);
    public async Task<IReadOnlyList<TaskRecord>> ClaimAsync(ClaimParams p, CancellationToken cancellationToken = default)
    {
        ClaimEntered?.TrySetResult(System.Diagnostics.Stopwatch.GetTimestamp());
        if (ClaimGate is null) return await inner.ClaimAsync(p, cancellationToken);
        await ClaimGate;
        return await inner.ClaimAsync(p, CancellationToken.None);
    }
    private int _heartbeatsAfterWrite;

    /// <summary>Heartbeats answered since a completion write was stored.</summary>
    public int HeartbeatsAfterWrite => Volatile.Read(ref _heartbeatsAfterWrite);

    public async Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken = default)
    {
        var afterWrite = written?.Task.IsCompleted == true;
        var statuses = await inner.HeartbeatAsync(p, cancellationToken);
        if (afterWrite) Interlocked.Increment(ref _heartbeatsAfterWrite);
        return statuses;
    }
    public Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken = default) => inner.SetProgressAsync(p, cancellationToken);
    public Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken = default)
    {
        RescueEntered?.TrySetResult(System.Diagnostics.Stopwatch.GetTimestamp());
        return inner.RescueAsync(p, cancellationToken);
    }
    public Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default) => inner.GetAsync(id, cancellationToken);
    public Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default) => inner.ListAsync(query, cancellationToken);
    public Task<CancelOutcome> CancelAsync(TaskActionParams p, CancellationToken cancellationToken = default) => inner.CancelAsync(p, cancellationToken);
    public Task<RetryOutcome> RetryAsync(TaskActionParams p, CancellationToken cancellationToken = default) => inner.RetryAsync(p, cancellationToken);
    public Task<DeleteOutcome> DeleteAsync(TaskActionParams p, CancellationToken cancellationToken = default) => inner.DeleteAsync(p, cancellationToken);
    public Task<IReadOnlyList<QueueCounts>> CountAsync(CancellationToken cancellationToken = default) => inner.CountAsync(cancellationToken);
    public Task<long> CountMatchingAsync(TaskCountParams p, CancellationToken cancellationToken = default) => inner.CountMatchingAsync(p, cancellationToken);
    public Task<int> RetryManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) => inner.RetryManyAsync(p, cancellationToken);
    public Task<int> DeleteManyAsync(BulkTaskParams p, CancellationToken cancellationToken = default) => inner.DeleteManyAsync(p, cancellationToken);

    public Task<int> DeleteExpiredAsync(ExpiredTasksParams p, CancellationToken cancellationToken = default) => inner.DeleteExpiredAsync(p, cancellationToken);
    public Task<int> ReleaseAsync(ReleaseParams p, CancellationToken cancellationToken = default) => inner.ReleaseAsync(p, cancellationToken);
}
