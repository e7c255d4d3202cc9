using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Nexus.Observability;

/// <summary>The event area's metrics on the <see cref="NexusTelemetry.MeterName"/> meter: events appended by
/// namespace and topic, deliveries by subscription and outcome, and each subscription's lag (as the maintenance leader
/// last measured it, every <see cref="Events.EventOptions.LagInterval"/>).</summary>
internal sealed class EventMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _emitted;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _passes;
    private volatile IReadOnlyList<(string Namespace, string Subscription, long Events, double AgeSeconds)> _lag = [];

    public EventMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(new MeterOptions(NexusTelemetry.MeterName));
        }
        else
        {
            _meter = new Meter(NexusTelemetry.MeterName);
            _ownsMeter = true;
        }
        _emitted = _meter.CreateCounter<long>("nexus.events.emitted", "{event}", "Events appended to the log (not repeats of an idempotency key), by namespace and topic.");
        _deliveries = _meter.CreateCounter<long>("nexus.events.deliveries", "{delivery}",
            "Deliveries by namespace, subscription and outcome: dispatched (a delivery task made), acked, nacked, dead (to the namespace's dead letters), replayed.");
        _passes = _meter.CreateCounter<long>("nexus.events.dispatch_passes", "{pass}",
            "Dispatch passes this node ran, each one transaction over the subscriptions with something to read (none run while no subscription exists).");
        _meter.CreateObservableGauge("nexus.events.subscription_lag", () => _lag.Select(l => new Measurement<long>(l.Events, Tags(l.Namespace, l.Subscription))), "{event}",
            "Events of the namespace after each subscription's cursor, not yet dispatched (counted up to 100,000), as the maintenance leader last measured them.");
        _meter.CreateObservableGauge("nexus.events.subscription_lag_age", () => _lag.Select(l => new Measurement<double>(l.AgeSeconds, Tags(l.Namespace, l.Subscription))), "s",
            "Age of the oldest event after each subscription's cursor (0 when it is caught up), as the maintenance leader last measured it.");
    }

    /// <summary>The lag of every subscription just measured (replaces the previous measurement).</summary>
    /// <summary>One dispatch pass ran.</summary>
    public void DispatchPass() => _passes.Add(1);

    public void ObserveLag(IReadOnlyList<(string Namespace, string Subscription, long Events, double AgeSeconds)> lag) => _lag = lag;

    private static TagList Tags(string ns, string subscription) => new() { { "namespace", ns }, { "subscription", subscription } };

    public void Emitted(string ns, string topic, int count)
    {
        if (count > 0 && _emitted.Enabled) _emitted.Add(count, new("namespace", ns), new("topic", topic));
    }

    public void Delivered(string ns, string subscription, string outcome, int count = 1)
    {
        if (count > 0 && _deliveries.Enabled) _deliveries.Add(count, new("namespace", ns), new("subscription", subscription), new("outcome", outcome));
    }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
