using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, returns tasks whose lease expired (crashed or frozen
/// workers) to the queue, in bounded batches so no transaction runs long. Runs once at start, then every
/// <see cref="NexusOptions.RescueInterval"/>. The tasks that died (their lease expired on their last attempt) are handed
/// to <paramref name="died"/> after the rescue committed — an event delivery's goes to its namespace's dead letters.</summary>
internal sealed class Rescuer(INexusStore store, NexusOptions options, WakeSignal wake, StoreClock clock, ILogger logger, Observability.NexusMetrics metrics, LeaderElector leader,
    Func<IReadOnlyList<long>, CancellationToken, Task>? died = null)
    : BackgroundLoop(clock.Time, logger, leader)
{
    private const int BatchSize = 1000;

    protected override string What => "rescue of expired leases";

    protected override TimeSpan Interval => options.RescueInterval;

    protected override bool TickAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        RescueResult result;
        do
        {
            result = await store.Tasks.RescueAsync(new RescueParams(BatchSize) { Now = clock.Now }, stop).ConfigureAwait(false);
            if (result.Requeued + result.Dead > 0)
            {
                metrics.Rescued(result);
                Logger.LogWarning("Rescued {Requeued} tasks whose lease expired; {Dead} of them had no attempts left and are dead.", result.Requeued, result.Dead);
                if (result.Requeued > 0) wake.Set();
                if (died is not null && result.DeadIds.Count > 0) await died(result.DeadIds, stop).ConfigureAwait(false);
            }
        }
        while (result.Requeued + result.Dead == BatchSize && !stop.IsCancellationRequested);
        metrics.RescuePassed();
    }
}
