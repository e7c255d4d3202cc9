using System.Diagnostics;
using System.Diagnostics.Metrics;
using Nexus.Scheduling;

namespace Nexus.Observability;

/// <summary>Schedule metrics on the <see cref="NexusTelemetry.MeterName"/> meter: fires by schedule and outcome
/// (<c>nexus_schedule_fires_total</c>), misfired slots by schedule (<c>nexus_schedule_misfires_total</c>), and batches
/// refused because another node decided the slot first (<c>nexus_schedule_slot_conflicts_total</c>).</summary>
internal sealed class ScheduleMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _fires;
    private readonly Counter<long> _misfires;
    private readonly Counter<long> _conflicts;

    public ScheduleMetrics(IMeterFactory? meterFactory = null)
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
        _fires = _meter.CreateCounter<long>("nexus.schedule.fires", "{slot}", "Slots decided by this node, by schedule and outcome (fired, misfired, skipped, buffered, failed).");
        _misfires = _meter.CreateCounter<long>("nexus.schedule.misfires", "{slot}", "Slots that were late and not run (misfire policy), by schedule.");
        _conflicts = _meter.CreateCounter<long>("nexus.schedule.slot_conflicts", "{batch}", "Fire batches refused because another node decided the slot first.");
    }

    public void Decided(string schedule, FireOutcome outcome, int count)
    {
        var tags = new TagList { { "schedule", schedule }, { "outcome", outcome.Name() } };
        _fires.Add(count, tags);
        if (outcome == FireOutcome.Misfired) _misfires.Add(count, new KeyValuePair<string, object?>("schedule", schedule));
    }

    public void Conflict() => _conflicts.Add(1);

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
