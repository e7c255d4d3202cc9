namespace Nexus.Testing;

/// <summary>A one-shot signal without a value (a gate): <see cref="Open"/> once, await <see cref="WaitAsync"/> with a
/// deadline. Continuations run asynchronously.</summary>
/// <param name="name">What the latch means, for the timeout's message. Default "the latch".</param>
public sealed class Latch(string? name = null)
{
    private readonly Signal<bool> _signal = new(name ?? "the latch");

    /// <summary>What the latch means, as given to the constructor.</summary>
    public string Name => _signal.Name;

    /// <summary>True once opened.</summary>
    public bool IsOpen => _signal.IsSet;

    /// <summary>The underlying task, for <c>Task.WhenAny</c> and the like, or for a plugin to await (never cancelled).</summary>
    public Task Task => _signal.Task;

    /// <summary>Opens the latch. False when it was already open.</summary>
    public bool Open() => _signal.Set(true);

    /// <summary>Waits until the latch is open, or throws a <see cref="TimeoutException"/> naming <see cref="Name"/> after
    /// <paramref name="timeout"/> (default <see cref="Eventually.DefaultTimeout"/>, 30 s, real time).</summary>
    public Task WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _signal.WaitAsync(timeout, cancellationToken);
}
