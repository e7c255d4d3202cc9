using Nexus.Attempts;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Workflows;

/// <summary>The planner's seat in the store: every change of a task a run owns is applied to the run inside the
/// transaction that made it (a step's completion releases every newly ready step, once). After an accepted
/// completion it wakes the local workers when it inserted tasks, so the next step does not wait for a poll.</summary>
internal sealed class WorkflowHook(WorkflowCoordinator coordinator, INexusTaskSignals signals, Observability.WorkflowMetrics metrics) : IOwnedTaskHook, ICompletionObserver
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<WorkflowMeasure> _measures = new();
    private int _inserted;

    public async Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
    {
        List<RunEvent>? events = null;
        foreach (var change in changes)
        {
            if (StepTaskOwner.TryParse(change.Owner) is not { } owner) continue;
            var error = change.Error is { } e ? $"{e.Type}: {e.Message}" : null;
            (events ??= []).Add(new StepTaskChanged(owner.RunId, owner, change.Id, change.State, change.Attempt, change.ResultJson, error));
        }
        if (events is null) return;
        var outcome = await coordinator.ApplyAsync(transaction.Workflows, transaction.Tasks, events, cancellationToken).ConfigureAwait(false);
        if (outcome.TasksInserted > 0) Interlocked.Exchange(ref _inserted, 1);
        // Recorded after the commit (OnStored); a change that rolls back after this point is rare (the writer failing).
        foreach (var m in outcome.Measures) _measures.Enqueue(m);
    }

    public void OnStored(IReadOnlyList<StoredOutcome> outcomes)
    {
        if (Interlocked.Exchange(ref _inserted, 0) == 1) signals.Wake();
        if (_measures.IsEmpty) return;
        var batch = new List<WorkflowMeasure>();
        while (_measures.TryDequeue(out var m))
        {
            batch.Add(m);
            if (m is { Kind: MeasureKind.RunFinished, Run: { } run }) Observability.RunTrace.RecordFinished(run);
        }
        metrics.Record(batch);
    }
}
