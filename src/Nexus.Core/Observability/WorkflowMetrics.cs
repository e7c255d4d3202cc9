using System.Diagnostics.Metrics;

namespace Nexus.Observability;

/// <summary>Workflow metrics on the <see cref="NexusTelemetry.MeterName"/> meter: runs started and finished (by workflow
/// and final state), run duration, and steps finished by workflow and outcome (the step failure rate is
/// <c>failed / (succeeded + failed)</c>). Measured after the transaction that decided them committed.</summary>
internal sealed class WorkflowMetrics : IDisposable
{
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [.. Enumerable.Range(0, 20).Select(i => 0.01 * Math.Pow(2, i))],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _steps;

    public WorkflowMetrics(IMeterFactory? meterFactory = null)
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
        _started = _meter.CreateCounter<long>("nexus.workflow.runs.started", "{run}", "Workflow runs started, by workflow.");
        _finished = _meter.CreateCounter<long>("nexus.workflow.runs.finished", "{run}", "Workflow runs that reached a final state, by workflow and state.");
        _duration = _meter.CreateHistogram("nexus.workflow.run.duration", "s", "From a run's start to its final state, by workflow and state.", null, SecondsBuckets);
        _steps = _meter.CreateCounter<long>("nexus.workflow.steps.finished", "{step}", "Steps that succeeded or failed, by workflow and outcome (the failure rate is failed over both).");
    }

    public void Record(IEnumerable<Workflows.WorkflowMeasure> measures)
    {
        foreach (var m in measures)
        {
            var workflow = new KeyValuePair<string, object?>("workflow", m.Workflow);
            switch (m.Kind)
            {
                case Workflows.MeasureKind.RunStarted:
                    _started.Add(1, workflow);
                    break;
                case Workflows.MeasureKind.RunFinished:
                    var state = new KeyValuePair<string, object?>("state", m.State);
                    _finished.Add(1, workflow, state);
                    if (m.Seconds is { } s) _duration.Record(s, workflow, state);
                    break;
                case Workflows.MeasureKind.StepFinished:
                    _steps.Add(1, workflow, new KeyValuePair<string, object?>("outcome", m.State));
                    break;
            }
        }
    }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
