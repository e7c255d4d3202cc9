using Microsoft.Extensions.Logging;
using Nexus.Engine;
using Nexus.Hosting;

namespace Nexus.Events;

/// <summary>Maintenance loop, on the elected node only: measures every subscription's lag (events after its cursor, the
/// age of the oldest) every <see cref="EventOptions.LagInterval"/> and once at start, for the
/// <c>nexus_events_subscription_lag</c> and <c>nexus_events_subscription_lag_age_seconds</c> gauges.</summary>
internal sealed class SubscriptionLagMonitor(EventService events, Observability.EventMetrics metrics, NexusOptions options, StoreClock clock, ILogger logger, LeaderElector leader)
    : BackgroundLoop(clock.Time, logger, leader)
{
    protected override string What => "subscription lag";

    protected override TimeSpan Interval => options.Events.LagInterval;

    protected override bool TickAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        var lag = await events.LagOfAllAsync(stop).ConfigureAwait(false);
        var now = clock.Time.GetUtcNow();
        metrics.ObserveLag([.. lag.Select(l => (l.Subscription.Namespace, l.Subscription.Name, l.Lag.Events, l.Lag.AgeAt(now).TotalSeconds))]);
    }
}
