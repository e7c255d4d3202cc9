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
/// measurement without a listener costs an <see cref="Instrument.Enabled"/> check. Names follow OpenTelemetry style
/// (<c>nexus.tasks.submitted</c>, unit <c>{task}</c>); the Prometheus exporter turns them into
/// <c>nexus_tasks_submitted_total</c>, <c>nexus_task_duration_seconds</c> and so on.
/// </summary>
internal sealed class NexusMetrics : IDisposable
{
    private static readonly TimeSpan DefaultQueueCountsInterval = TimeSpan.FromSeconds(5);

    /// <summary>Bucket bounds of both histograms, in seconds: 1 ms to about 65 s, doubling (exporters that honour
    /// instrument advice use them; the defaults of most are meant for milliseconds).</summary>
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [.. Enumerable.Range(0, 17).Select(i => 0.001 * Math.Pow(2, i))],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _dead;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _rescues;
    private readonly Counter<long> _rescuePasses;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _startLatency;
    private readonly QueueDepthGauge _queueDepth;
    private Func<int>? _busyWorkers;
    private Func<bool>? _leads;

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
        _submitted = _meter.CreateCounter<long>("nexus.tasks.submitted", "{task}", "Tasks created by submits (not those that found their unique key taken), by plugin and queue.");
        _succeeded = _meter.CreateCounter<long>("nexus.tasks.succeeded", "{task}", "Attempts that succeeded, counted when the store accepted the outcome.");
        _failed = _meter.CreateCounter<long>("nexus.tasks.failed", "{attempt}", "Attempts that failed and will be retried, counted when the store accepted the outcome.");
        _retried = _meter.CreateCounter<long>("nexus.tasks.retried", "{attempt}", "Attempts after the first that started (after a failure, a lease rescue or a manual retry).");
        _dead = _meter.CreateCounter<long>("nexus.tasks.dead", "{task}", "Tasks that failed their last attempt (or failed permanently), counted when the store accepted the outcome.");
        _cancelled = _meter.CreateCounter<long>("nexus.tasks.cancelled", "{task}", "Tasks cancelled: waiting ones at the request, running ones when their attempt stopped.");
        _rescues = _meter.CreateCounter<long>("nexus.lease.rescues", "{task}", "Tasks whose lease expired and were returned to the queue (outcome=requeued) or were dead (outcome=dead).");
        _rescuePasses = _meter.CreateCounter<long>("nexus.maintenance.rescue_passes", "{pass}", "Rescue passes over expired leases this node completed as the maintenance leader (one every RescueInterval while it leads).");
        _meter.CreateObservableGauge("nexus.maintenance.leader", () => Volatile.Read(ref _leads)?.Invoke() == true ? 1 : 0, "{node}", "1 while this node holds the maintenance leadership (rescue, retention, node pruning), else 0.");
        _duration = _meter.CreateHistogram("nexus.task.duration", "s", "How long attempts ran, by plugin, queue and outcome.", null, SecondsBuckets);
        _startLatency = _meter.CreateHistogram("nexus.task.start_latency", "s", "From the time a task became runnable to the start of its attempt, by plugin and queue.", null, SecondsBuckets);
        _meter.CreateObservableGauge("nexus.workers.busy", () => Volatile.Read(ref _busyWorkers)?.Invoke() ?? 0, "{worker}", "Worker slots of this node running an attempt or waiting for its outcome to be stored.");
        var interval = options.Value.QueueCountsInterval ?? DefaultQueueCountsInterval;
        _queueDepth = new QueueDepthGauge(store, time, interval);
        _meter.CreateObservableGauge("nexus.queue.tasks", _queueDepth.Observe, "{task}", $"Tasks by queue and state, from the store's counts, read at most once per {interval.TotalSeconds:0.###} s.");
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
    public void Stored(TaskRecord task, CompletionKind kind, TimeSpan duration) => Stored(task.Plugin, task.Queue, kind, duration);

    /// <summary>The store accepted an attempt's outcome (an external worker's, whose record the server did not read);
    /// a null <paramref name="duration"/> (unknown) counts the outcome without a duration sample.</summary>
    public void Stored(string plugin, string queue, CompletionKind kind, TimeSpan? duration)
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
        if (counter is { Enabled: true }) counter.Add(1, Tags(plugin, queue));
        if (_duration.Enabled && duration is { } ran)
        {
            var tags = Tags(plugin, queue);
            tags.Add("outcome", outcome);
            _duration.Record(ran.TotalSeconds, tags);
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

    /// <summary>The maintenance leader finished a rescue pass (whether or not it found expired leases).</summary>
    public void RescuePassed()
    {
        if (_rescuePasses.Enabled) _rescuePasses.Add(1);
    }

    /// <summary>Lets the leader gauge read the running engine's election (null when it stops).</summary>
    public void AttachLeader(Func<bool>? leads) => Volatile.Write(ref _leads, leads);

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
