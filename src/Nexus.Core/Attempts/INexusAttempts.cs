using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Attempts;

/// <summary>
/// The one attempt pipeline: what becomes of an attempt (success, retry with backoff under the task's or its plugin's
/// retry policy, permanent failure, snooze, cancellation, hand-back, dead after the last attempt) is decided here,
/// whoever ran it — the local engine or an external worker over HTTP. Attempts' metrics are recorded here once, and
/// <see cref="ICompletionObserver"/>s hear every stored outcome.
/// </summary>
public interface INexusAttempts
{
    /// <summary>What the store records for <paramref name="outcome"/> of the attempt that <paramref name="task"/> (as
    /// claimed, with its lease token) describes.</summary>
    TaskCompletion Decide(TaskRecord task, AttemptOutcome outcome);

    /// <summary>Tasks were handed out to run (claimed by the engine or leased to an external worker): counts their
    /// starts and remembers what deciding their outcomes needs, so a completion need not read its task back.</summary>
    void Started(IReadOnlyList<TaskRecord> tasks);

    /// <summary>Decides and stores external workers' outcomes in one round trip, each fenced by its lease token.
    /// Returns, per outcome, whether the store accepted it (false: the lease was lost or the task is gone).</summary>
    Task<IReadOnlyList<bool>> CompleteAsync(IReadOnlyList<ReportedOutcome> outcomes, CancellationToken cancellationToken = default);
}

/// <summary>An outcome reported for one leased task.</summary>
/// <param name="Id">The task.</param>
/// <param name="LeaseToken">The token of the lease it ran under.</param>
/// <param name="Outcome">How the attempt ended.</param>
public sealed record ReportedOutcome(long Id, Guid LeaseToken, AttemptOutcome Outcome);
