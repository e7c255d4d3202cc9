namespace Nexus.Storage;

/// <summary>The <see cref="IOwnedTaskHook"/>s of one store. Drivers call <see cref="RunAsync"/> inside the transaction
/// of every change of owned tasks. Adding is thread-safe; a hook is added once however often it is offered.</summary>
public sealed class StoreHooks
{
    private IOwnedTaskHook[] _hooks = [];

    /// <summary>True when no hook is registered (drivers may then skip collecting changes).</summary>
    public bool IsEmpty => Volatile.Read(ref _hooks).Length == 0;

    /// <summary>Adds a hook; adding the same instance again does nothing.</summary>
    public void Add(IOwnedTaskHook hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        while (true)
        {
            var current = Volatile.Read(ref _hooks);
            if (current.Contains(hook)) return;
            if (Interlocked.CompareExchange(ref _hooks, [.. current, hook], current) == current) return;
        }
    }

    /// <summary>Runs every hook, in registration order, on <paramref name="changes"/> (nothing when empty).</summary>
    public async Task RunAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0) return;
        foreach (var hook in Volatile.Read(ref _hooks))
        {
            await hook.OnChangedAsync(transaction, changes, cancellationToken).ConfigureAwait(false);
        }
    }
}
