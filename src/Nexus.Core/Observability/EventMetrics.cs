using System.Diagnostics.Metrics;

namespace Nexus.Observability;

/// <summary>The event area's metrics on the <see cref="NexusTelemetry.MeterName"/> meter: events appended by
/// namespace and topic, and deliveries by subscription and outcome.</summary>
internal sealed class EventMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _emitted;
    private readonly Counter<long> _deliveries;

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
    }

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
