using Nexus.Attempts;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Events;

/// <summary>Per-key order's release: when a delivery of a subscription with per-key order finishes (succeeded, dead
/// after its retries, cancelled), the next waiting delivery of the same key is made available <b>inside the transaction
/// of that change</b> (<see cref="IEventStore.ReleaseDeliveriesAsync"/>). After an accepted completion that released
/// one it wakes the local workers, so the next delivery does not wait for a poll.</summary>
internal sealed class DeliveryOrderHook(INexusTaskSignals signals) : IOwnedTaskHook, ICompletionObserver
{
    private int _released;

    public async Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
    {
        List<string>? owners = null;
        foreach (var change in changes)
        {
            if (change.State.IsTerminal() && DeliveryOwner.IsDelivery(change.Owner)) (owners ??= []).Add(change.Owner);
        }
        if (owners is null) return;
        if (await transaction.Events.ReleaseDeliveriesAsync(new ReleaseDeliveriesParams(owners), cancellationToken).ConfigureAwait(false) > 0)
        {
            Interlocked.Exchange(ref _released, 1);
        }
    }

    public void OnStored(IReadOnlyList<StoredOutcome> outcomes)
    {
        if (Interlocked.Exchange(ref _released, 0) == 1) signals.Wake();
    }
}
