using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>
/// Hears every change of a task that has an <see cref="TaskRecord.Owner"/> — an attempt's completion (whoever ran it),
/// a rescue, a cancel, an operator retry — <b>inside the transaction that made it</b>: what the hook writes through
/// <c>transaction</c> commits or rolls back with the change. This is how an owner (a workflow run) releases the steps a
/// completion unblocks atomically. Register it on <see cref="INexusStore.Hooks"/>, or as a DI singleton
/// (<c>services.AddSingleton&lt;IOwnedTaskHook, MyHook&gt;()</c>) that the engine host adds at start.
/// A hook that throws fails the whole change (the completion is retried by the engine); keep hooks to database
/// writes, short, and free of outside calls. Changes of tasks without an owner never reach a hook.
/// </summary>
public interface IOwnedTaskHook
{
    /// <summary>Owned tasks just changed in <paramref name="transaction"/>, in the order they were written.</summary>
    Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken);
}

/// <summary>One change of an owned task.</summary>
/// <param name="Id">The task.</param>
/// <param name="Owner">Its owner, e.g. <c>workflow:42/resize</c>.</param>
/// <param name="Plugin">Its plugin.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="State">The state it is in now (succeeded, retrying, dead, cancelled, available, …).</param>
/// <param name="Attempt">Its attempt count now.</param>
/// <param name="ResultJson">The result, when it just succeeded.</param>
/// <param name="Error">The error of the attempt that just failed, when one did.</param>
public sealed record OwnedTaskChange(
    long Id, string Owner, string Plugin, string Queue, TaskState State, int Attempt, string? ResultJson, AttemptError? Error);
