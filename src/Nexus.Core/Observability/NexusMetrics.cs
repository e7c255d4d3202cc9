using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Observability;

/// <summary>
/// The engine's metrics on the <see cref="NexusTelemetry.MeterName"/> meter, through System.Diagnostics.Metrics only:
/// an exporter (the server's <c>/metrics</c>, OpenTelemetry) subscribes to them. Instruments are created once; a
/// measurement without a listener costs an <see cref="Instrument.Enabled"/> check. Instrument names are already in
/// Prometheus style; exporters that prefix the meter name produce <c>nexus_tasks_submitted_total</c> and so on.
/// </summary>
internal sealed class NexusMetrics : IDisposable
{
    private static readonly TimeSpan DefaultQueueCountsInterval = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _dead;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _rescues;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _startLatency;
    private readonly QueueDepthGauge _queueDepth;
    private Func<int>? _busyWorkers;

    public NexusMetrics(INexusStore store, IOptions<NexusOptions> options, TimeProvider time, IMeterFactory? meterFactory = null)
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
        _submitted = _meter.CreateCounter<long>("tasks_submitted_total", "{task}", "Tasks created by submits (not those that found their unique key taken), by plugin and queue.");
        _succeeded = _meter.CreateCounter<long>("tasks_succeeded_total", "{task}", "Attempts that succeeded, counted when the store accepted the outcome.");
        _failed = _meter.CreateCounter<long>("tasks_failed_total", "{attempt}", "Attempts that failed and will be retried, counted when the store accepted the outcome.");
        _retried = _meter.CreateCounter<long>("tasks_retried_total", "{attempt}", "Attempts after the first that started (after a failure, a lease rescue or a manual retry).");
        _dead = _meter.CreateCounter<long>("tasks_dead_total", "{task}", "Tasks that failed their last attempt (or failed permanently), counted when the store accepted the outcome.");
        _cancelled = _meter.CreateCounter<long>("tasks_cancelled_total", "{task}", "Tasks cancelled: waiting ones at the request, running ones when their attempt stopped.");
        _rescues = _meter.CreateCounter<long>("lease_rescues_total", "{task}", "Tasks whose lease expired and were returned to the queue (outcome=requeued) or were dead (outcome=dead).");
        _duration = _meter.CreateHistogram<double>("task_duration_seconds", "s", "How long attempts ran, by plugin, queue and outcome.");
        _startLatency = _meter.CreateHistogram<double>("task_start_latency_seconds", "s", "From the time a task became runnable to the start of its attempt, by plugin and queue.");
        _meter.CreateObservableGauge("workers_busy", () => Volatile.Read(ref _busyWorkers)?.Invoke() ?? 0, "{worker}", "Worker slots of this node running an attempt or waiting for its outcome to be stored.");
        var interval = options.Value.QueueCountsInterval ?? DefaultQueueCountsInterval;
        _queueDepth = new QueueDepthGauge(store, time, interval);
        _meter.CreateObservableGauge("queue_tasks", _queueDepth.Observe, "{task}", $"Tasks by queue and state, from the store's counts, read at most once per {interval.TotalSeconds:0.###} s.");
    }

    /// <summary>The meter, for exporters that filter by instance.</summary>
    public Meter Meter => _meter;

    /// <summary>Counts created tasks, one measurement per run of rows with the same plugin and queue.</summary>
    public void Submitted(IReadOnlyList<NewTask> rows, IReadOnlyList<SubmitResult> results)
    {
        if (!_submitted.Enabled) return;
        long run = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (results[i].Created) run++;
            var last = i == rows.Count - 1;
            if (!last && rows[i + 1].Plugin == rows[i].Plugin && rows[i + 1].Queue == rows[i].Queue) continue;
            if (run > 0) _submitted.Add(run, Tags(rows[i].Plugin, rows[i].Queue));
            run = 0;
        }
    }

    /// <summary>An attempt started: its start latency, and a retry when it is not the first.</summary>
    public void Started(TaskRecord task)
    {
        if (task.Attempt > 1 && _retried.Enabled) _retried.Add(1, Tags(task.Plugin, task.Queue));
        if (_startLatency.Enabled && task.AttemptedAt is { } started)
        {
            var latency = started - task.RunAt;
            _startLatency.Record(latency > TimeSpan.Zero ? latency.TotalSeconds : 0, Tags(task.Plugin, task.Queue));
        }
    }

    /// <summary>The store accepted an attempt's outcome.</summary>
    public void Stored(TaskRecord task, CompletionKind kind, TimeSpan duration)
    {
        var (counter, outcome) = kind switch
        {
            CompletionKind.Succeeded => (_succeeded, "succeeded"),
            CompletionKind.Retry => (_failed, "failed"),
            CompletionKind.Dead => (_dead, "dead"),
            CompletionKind.Cancelled => (_cancelled, "cancelled"),
            CompletionKind.Snoozed => ((Counter<long>?)null, "snoozed"),
            _ => (null, null),
        };
        if (outcome is null) return; // handed back at shutdown: the attempt did not run to an outcome
        if (counter is { Enabled: true }) counter.Add(1, Tags(task.Plugin, task.Queue));
        if (_duration.Enabled)
        {
            var tags = Tags(task.Plugin, task.Queue);
            tags.Add("outcome", outcome);
            _duration.Record(duration.TotalSeconds, tags);
        }
    }

    /// <summary>True when someone listens to the cancelled counter (so reading a cancelled task's labels is worth it).</summary>
    public bool CountsCancels => _cancelled.Enabled;

    /// <summary>A waiting task was cancelled by request.</summary>
    public void Cancelled(string plugin, string queue)
    {
        if (_cancelled.Enabled) _cancelled.Add(1, Tags(plugin, queue));
    }

    /// <summary>The rescuer returned tasks whose lease expired.</summary>
    public void Rescued(RescueResult result)
    {
        if (!_rescues.Enabled) return;
        if (result.Requeued > 0) _rescues.Add(result.Requeued, new KeyValuePair<string, object?>("outcome", "requeued"));
        if (result.Dead > 0) _rescues.Add(result.Dead, new KeyValuePair<string, object?>("outcome", "dead"));
    }

    /// <summary>Lets the busy-workers gauge read the running engine (null when it stops).</summary>
    public void AttachWorkers(Func<int>? busy) => Volatile.Write(ref _busyWorkers, busy);

    private static TagList Tags(string plugin, string queue) => new()
    {
        { "plugin", plugin },
        { "queue", queue },
    };

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
