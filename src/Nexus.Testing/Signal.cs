namespace Nexus.Testing;

/// <summary>A one-shot signal carrying a value: one side calls <see cref="Set"/>, the other awaits <see cref="WaitAsync"/>
/// with a deadline. Continuations run asynchronously, so the setter (often a plugin inside the engine) is never
/// hijacked by the test's code after the await.</summary>
/// <typeparam name="T">The value handed over.</typeparam>
/// <param name="name">What the signal means, for the timeout's message. Default "the signal".</param>
public sealed class Signal<T>(string? name = null)
{
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the signal means, as given to the constructor.</summary>
    public string Name { get; } = name ?? "the signal";

    /// <summary>True once set or failed.</summary>
    public bool IsSet => _source.Task.IsCompleted;

    /// <summary>The underlying task, for <c>Task.WhenAny</c> and the like.</summary>
    public Task<T> Task => _source.Task;

    /// <summary>Sets the signal with <paramref name="value"/>. False when it was already set (the first value wins).</summary>
    public bool Set(T value) => _source.TrySetResult(value);

    /// <summary>Fails the signal: waiters get <paramref name="error"/>. False when it was already set.</summary>
    public bool Fail(Exception error) => _source.TrySetException(error);

    /// <summary>Waits for the value, or throws a <see cref="TimeoutException"/> naming <see cref="Name"/> after
    /// <paramref name="timeout"/> (default <see cref="Eventually.DefaultTimeout"/>, 30 s, real time).</summary>
    public async Task<T> WaitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? Eventually.DefaultTimeout;
        try
        {
            return await _source.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!_source.Task.IsCompleted)
        {
            throw new TimeoutException(Eventually.TimedOut(limit, Name) + ".");
        }
    }
}
