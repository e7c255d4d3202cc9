using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Workers;

/// <summary>
/// Puts external workers' attempts on the engine's meter, as local attempts are: started (start latency, retries)
/// when a lease hands a task out, and the outcome once the store accepted it. A completion names only the task and
/// its token, so the plugin, queue and start of each lease handed out by this server are kept until it comes back; a
/// completion sent to another server node (or after a restart) is counted there from the task it reads for failures,
/// and a success it cannot place is not counted rather than read back.
/// </summary>
internal sealed class ExternalAttempts(NexusMetrics metrics, TimeProvider time, IOptions<NexusOptions> options)
{
    /// <summary>Above this many outstanding leases, those older than ten lease durations (their workers died; the
    /// rescuer took the tasks back) are dropped.</summary>
    private const int SweepAbove = 4096;

    private readonly ConcurrentDictionary<(long Id, Guid Token), Attempt> _leased = new();

    public void Leased(IReadOnlyList<TaskRecord> tasks)
    {
        var now = time.GetTimestamp();
        foreach (var task in tasks)
        {
            metrics.Started(task);
            _leased[(task.Id, task.LeaseToken!.Value)] = new Attempt(task.Plugin, task.Queue, now);
        }
        if (_leased.Count > SweepAbove) Sweep(now);
    }

    /// <summary>Counts the accepted outcomes; <paramref name="read"/> holds the tasks read to decide a failure.</summary>
    public void Stored(IReadOnlyList<TaskCompletion> completions, IReadOnlyList<bool> accepted, IReadOnlyDictionary<long, TaskRecord> read)
    {
        for (var i = 0; i < completions.Count; i++)
        {
            var c = completions[i];
            var known = _leased.TryRemove((c.Id, c.LeaseToken), out var attempt);
            if (!accepted[i]) continue;
            if (known)
            {
                metrics.Stored(attempt.Plugin, attempt.Queue, c.Kind, time.GetElapsedTime(attempt.StartedAt));
            }
            else if (read.TryGetValue(c.Id, out var task))
            {
                // Leased through another node: the outcome counts; how long it ran is not known here.
                metrics.Stored(task.Plugin, task.Queue, c.Kind, null);
            }
        }
    }

    private void Sweep(long now)
    {
        var stale = options.Value.LeaseDuration * 10;
        foreach (var (key, attempt) in _leased)
        {
            if (time.GetElapsedTime(attempt.StartedAt, now) > stale) _leased.TryRemove(key, out _);
        }
    }

    private readonly record struct Attempt(string Plugin, string Queue, long StartedAt);
}
