using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, returns tasks whose lease expired (crashed or frozen
/// workers) to the queue, in bounded batches so no transaction runs long. Runs once at start, then every
/// <see cref="NexusOptions.RescueInterval"/>.</summary>
internal sealed class Rescuer(INexusStore store, NexusOptions options, WakeSignal wake, StoreClock clock, ILogger logger, Observability.NexusMetrics metrics, LeaderElector leader)
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
            }
        }
        while (result.Requeued + result.Dead == BatchSize && !stop.IsCancellationRequested);
        metrics.RescuePassed();
    }
}
