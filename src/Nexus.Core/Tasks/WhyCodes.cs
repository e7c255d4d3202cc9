namespace Nexus.Tasks;

/// <summary>The machine codes of <see cref="WhyReason.Code"/>: why a task is not running (or that it is, or is done).</summary>
public static class WhyCodes
{
    /// <summary>Its run time has not come yet (<see cref="WhyReason.Until"/>).</summary>
    public const string Scheduled = "scheduled";
    /// <summary>An attempt failed; the next waits for its backoff (<see cref="WhyReason.Until"/>).</summary>
    public const string Backoff = "backoff";
    /// <summary>Its queue is paused: nothing is claimed from it.</summary>
    public const string QueuePaused = "queue-paused";
    /// <summary>Its queue's concurrency limit is held by running tasks (<see cref="WhyReason.TaskIds"/>).</summary>
    public const string ConcurrencyLimit = "concurrency-limit";
    /// <summary>Ready tasks of its queue come first in the claim order (<see cref="WhyReason.Position"/>).</summary>
    public const string Backlog = "backlog";
    /// <summary>No live node or external worker runs its plugin for its queue.</summary>
    public const string NoWorker = "no-worker";
    /// <summary>Its workflow step waits on upstream steps (<see cref="WhyReason.Steps"/>).</summary>
    public const string WaitingOnSteps = "waiting-on-steps";
    /// <summary>An event delivery waiting behind the earlier deliveries of its key.</summary>
    public const string WaitingOnKey = "waiting-on-key";
    /// <summary>Waiting to be released by its owner (a signal, a timer, a paused run).</summary>
    public const string Waiting = "waiting";
    /// <summary>Nothing holds it back: the next claim takes it.</summary>
    public const string Ready = "ready";
    /// <summary>It is running.</summary>
    public const string Running = "running";
    /// <summary>It finished (succeeded, dead or cancelled).</summary>
    public const string Finished = "finished";
}
