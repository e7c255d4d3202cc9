using Nexus.Storage;

namespace Nexus.Attempts;

/// <summary>Hears every attempt outcome the store accepted, whoever ran the attempt. Register implementations in DI
/// (<c>services.AddSingleton&lt;ICompletionObserver, MyObserver&gt;()</c>); they are called after the write committed,
/// on the completing thread, so they must be quick and must not throw (an exception is logged and swallowed).</summary>
public interface ICompletionObserver
{
    /// <summary>Outcomes just stored, in the order they were written.</summary>
    void OnStored(IReadOnlyList<StoredOutcome> outcomes);
}

/// <summary>One stored outcome.</summary>
/// <param name="Id">The task.</param>
/// <param name="Plugin">Its plugin.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Attempt">The attempt that ended.</param>
/// <param name="Kind">What the store recorded.</param>
/// <param name="Duration">How long the attempt ran, when known here.</param>
public sealed record StoredOutcome(long Id, string Plugin, string Queue, int Attempt, CompletionKind Kind, TimeSpan? Duration);
