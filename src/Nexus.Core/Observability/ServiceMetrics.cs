using System.Diagnostics;
using System.Diagnostics.Metrics;
using Nexus.Services;

namespace Nexus.Observability;

/// <summary>Service registry metrics on the <see cref="NexusTelemetry.MeterName"/> meter: instances by service and health
/// as the checking node last saw them (<c>nexus_service_instances</c>), health changes (<c>nexus_service_health_changes_total</c>)
/// and invokes by service and status (<c>nexus_service_invokes_total</c>).</summary>
internal sealed class ServiceMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _changes;
    private readonly Counter<long> _invokes;
    private volatile IReadOnlyList<ServiceInstance> _last = [];

    public ServiceMetrics(IMeterFactory? meterFactory = null)
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
        _changes = _meter.CreateCounter<long>("nexus.service.health_changes", "{change}", "Instances whose health changed, by service and new health.");
        _invokes = _meter.CreateCounter<long>("nexus.service.invokes", "{invoke}", "Invokes through Nexus, by service and HTTP status.");
        _meter.CreateObservableGauge("nexus.service.instances", Observe, "{instance}", "Registered instances by service and health, as the checking node last saw them.");
    }

    public void Observe(IReadOnlyList<ServiceInstance> all) => _last = all;

    public void Changed(string service, ServiceHealth health) =>
        _changes.Add(1, new TagList { { "service", service }, { "health", health.Name() } });

    public void Invoked(string service, int status) =>
        _invokes.Add(1, new TagList { { "service", service }, { "status", status } });

    private IEnumerable<Measurement<long>> Observe() =>
        _last.GroupBy(i => (i.Name, i.Health)).Select(g => new Measurement<long>(g.Count(), new TagList { { "service", g.Key.Name }, { "health", g.Key.Health.Name() } }));

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
