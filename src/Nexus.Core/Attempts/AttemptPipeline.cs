using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Attempts;

/// <summary>The one place that decides attempts' outcomes, counts them and tells observers; see
/// <see cref="INexusAttempts"/>.</summary>
internal sealed class AttemptPipeline(
    INexusStore store,
    PluginRegistry registry,
    IOptions<NexusOptions> options,
    NexusMetrics metrics,
    TimeProvider time,
    TaskService tasks,
    IEnumerable<ICompletionObserver> observers,
    ILoggerFactory? loggerFactory = null) : INexusAttempts
{
    /// <summary>Above this many remembered leases, those older than ten lease durations (their workers died and the
    /// rescuer took the tasks back) are dropped.</summary>
    private const int SweepAbove = 4096;

    private readonly ILogger _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Nexus.Attempts");
    private readonly ICompletionObserver[] _observers = [.. observers];
    private readonly ConcurrentDictionary<(long Id, Guid Token), Lease> _leases = new();
    private readonly Random _jitter = new();
    private readonly Lock _jitterLock = new();

    public TaskCompletion Decide(TaskRecord task, AttemptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(outcome);
        var token = task.LeaseToken ?? throw new ArgumentException($"Task {task.Id} holds no lease.", nameof(task));
        return Decide(new Lease(task.Plugin, task.Queue, task.Attempt, task.MaxAttempts, task.Retry, 0, task.Owner is null), task.Id, token, outcome);
    }

    private TaskCompletion Decide(Lease lease, long id, Guid token, AttemptOutcome outcome)
    {
        var unowned = lease.Unowned;
        switch (outcome.Kind)
        {
            case AttemptOutcomeKind.Succeeded:
                return new TaskCompletion(id, token, CompletionKind.Succeeded) { ResultJson = outcome.ResultJson, Unowned = unowned };
            case AttemptOutcomeKind.Snoozed:
                return new TaskCompletion(id, token, CompletionKind.Snoozed) { Delay = TaskBounds.ClampRetryDelay(outcome.SnoozeFor), Unowned = unowned };
            case AttemptOutcomeKind.Released:
                return new TaskCompletion(id, token, CompletionKind.Released) { Unowned = unowned };
            case AttemptOutcomeKind.Cancelled:
                return new TaskCompletion(id, token, CompletionKind.Cancelled) { Error = ErrorOf(lease, outcome), Unowned = unowned };
        }
        var error = ErrorOf(lease, outcome);
        if (!outcome.Retryable || lease.Attempt >= lease.MaxAttempts)
        {
            _logger.LogWarning("Task {TaskId} ({Plugin}) failed attempt {Attempt}/{Max} and is dead: {Error}", id, lease.Plugin, lease.Attempt, lease.MaxAttempts, error.Message);
            return new TaskCompletion(id, token, CompletionKind.Dead) { Error = error, Unowned = unowned };
        }
        var policy = lease.Retry ?? (registry.TryGet(lease.Plugin, out var plugin) ? plugin.Retry : null) ?? options.Value.DefaultRetry;
        TimeSpan delay;
        lock (_jitterLock) delay = policy.DelayAfter(lease.Attempt, _jitter);
        _logger.LogInformation("Task {TaskId} ({Plugin}) failed attempt {Attempt}/{Max}; retrying in {Delay}: {Error}", id, lease.Plugin, lease.Attempt, lease.MaxAttempts, delay, error.Message);
        return new TaskCompletion(id, token, CompletionKind.Retry) { Error = error, Delay = delay, Unowned = unowned };
    }

    private AttemptError ErrorOf(Lease lease, AttemptOutcome outcome)
    {
        var failure = outcome.Failure ?? new AttemptFailure("Error", "The attempt failed.");
        return new AttemptError(lease.Attempt, time.GetUtcNow(), failure.Type, failure.Message, failure.StackTrace);
    }

    public void Started(IReadOnlyList<TaskRecord> started)
    {
        ArgumentNullException.ThrowIfNull(started);
        var now = time.GetTimestamp();
        foreach (var task in started)
        {
            metrics.Started(task);
            _leases[(task.Id, task.LeaseToken!.Value)] = new Lease(task.Plugin, task.Queue, task.Attempt, task.MaxAttempts, task.Retry, now, task.Owner is null);
        }
        if (_leases.Count > SweepAbove) Sweep(now);
    }

    /// <summary>An attempt of the local engine started (nothing to remember: the engine keeps its record).</summary>
    public void StartedLocally(TaskRecord task) => metrics.Started(task);

    public async Task<IReadOnlyList<bool>> CompleteAsync(IReadOnlyList<ReportedOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var accepted = new bool[outcomes.Count];
        var completions = new List<TaskCompletion>(outcomes.Count);
        var written = new List<(int Index, Lease? Lease)>(outcomes.Count);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var o = outcomes[i];
            var lease = _leases.TryGetValue((o.Id, o.LeaseToken), out var known) ? known : (Lease?)null;
            if (lease is null && (o.Outcome.Kind is AttemptOutcomeKind.Failed or AttemptOutcomeKind.Cancelled || _observers.Length > 0))
            {
                // Leased through another node (or before a restart): the decision needs the task's attempt and policy,
                // and observers its plugin and queue.
                var task = await store.Tasks.GetAsync(o.Id, cancellationToken).ConfigureAwait(false);
                if (task is null || task.State != TaskState.Running || task.LeaseToken != o.LeaseToken) continue; // lease gone: refused unwritten
                lease = new Lease(task.Plugin, task.Queue, task.Attempt, task.MaxAttempts, task.Retry, 0, task.Owner is null);
            }
            completions.Add(lease is { } l ? Decide(l, o.Id, o.LeaseToken, o.Outcome) : Decide(Lease.Unknown, o.Id, o.LeaseToken, o.Outcome));
            written.Add((i, lease));
        }
        if (completions.Count == 0) return accepted;
        var results = await store.Tasks.CompleteAsync(new CompleteParams(completions), cancellationToken).ConfigureAwait(false);
        var stored = new List<StoredOutcome>(completions.Count);
        var now = time.GetTimestamp();
        for (var k = 0; k < results.Count; k++)
        {
            var (index, lease) = written[k];
            var c = completions[k];
            _leases.TryRemove((c.Id, c.LeaseToken), out _);
            accepted[index] = results[k];
            // A success whose lease was handed out elsewhere cannot be placed on the meter without a read; it is not counted.
            if (results[k] && lease is { } l)
            {
                stored.Add(new StoredOutcome(c.Id, l.Plugin, l.Queue, l.Attempt, c.Kind, l.StartedAt == 0 ? null : time.GetElapsedTime(l.StartedAt, now)));
            }
            else if (results[k])
            {
                tasks.NotifyFinished(c.Id);
            }
        }
        OnStored(stored);
        return accepted;
    }

    /// <summary>Outcomes the store accepted: counts them once, wakes local waiters, tells the observers.</summary>
    public void OnStored(IReadOnlyList<StoredOutcome> stored)
    {
        if (stored.Count == 0) return;
        foreach (var s in stored)
        {
            metrics.Stored(s.Plugin, s.Queue, s.Kind, s.Duration);
            if (s.Kind is CompletionKind.Succeeded or CompletionKind.Dead or CompletionKind.Cancelled) tasks.NotifyFinished(s.Id);
        }
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnStored(stored);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Completion observer {Observer} failed.", observer.GetType().Name);
            }
        }
    }

    private void Sweep(long now)
    {
        var stale = options.Value.LeaseDuration * 10;
        foreach (var (key, lease) in _leases)
        {
            if (time.GetElapsedTime(lease.StartedAt, now) > stale) _leases.TryRemove(key, out _);
        }
    }

    /// <summary>What deciding an attempt's outcome needs, kept from when its task was handed out (<c>Unowned</c>: its
    /// record had no owner, see <see cref="TaskCompletion.Unowned"/>).</summary>
    private readonly record struct Lease(string Plugin, string Queue, int Attempt, int MaxAttempts, RetryPolicy? Retry, long StartedAt, bool Unowned)
    {
        /// <summary>A success handed out elsewhere: deciding it needs nothing of the task (its owner unknown: hooks run).</summary>
        public static readonly Lease Unknown = new("", "", 0, 1, null, 0, false);
    }
}
