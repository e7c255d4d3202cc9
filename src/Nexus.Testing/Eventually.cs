using System.Globalization;

namespace Nexus.Testing;

/// <summary>Waiting with a deadline: poll a read until a condition holds, or fail with a <see cref="TimeoutException"/>
/// naming what was awaited and the last value seen. The deadline is real time (it is the test's own deadline, not the
/// engine's clock), so a fake clock never stretches or shortens it; the step only paces the reads.</summary>
public static class Eventually
{
    /// <summary>The deadline when none is given: 30 seconds, generous for a loaded machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The pause between reads when none is given: 10 milliseconds.</summary>
    public static readonly TimeSpan DefaultStep = TimeSpan.FromMilliseconds(10);

    /// <summary>Reads until <paramref name="condition"/> holds for the value read, and returns that value. Exceptions of
    /// <paramref name="read"/> and <paramref name="condition"/> are not caught.</summary>
    /// <param name="read">Reads the current value (for example a task from the store).</param>
    /// <param name="condition">True when the value is the one awaited.</param>
    /// <param name="timeout">The deadline. Default <see cref="DefaultTimeout"/> (30 s).</param>
    /// <param name="step">The pause between reads. Default <see cref="DefaultStep"/> (10 ms).</param>
    /// <param name="because">What is awaited, for the timeout's message. Default "the condition".</param>
    /// <param name="describe">Turns the last value read into text for the timeout's message. Default: its invariant
    /// <c>ToString</c>, a string in quotes, a sequence as <c>[a, b]</c>.</param>
    /// <param name="cancellationToken">Stops waiting early (throws <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="TimeoutException">The deadline passed; the message names <paramref name="because"/> and the last value read.</exception>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> read,
        Func<T, bool> condition,
        TimeSpan? timeout = null,
        TimeSpan? step = null,
        string? because = null,
        Func<T, string>? describe = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var pause = step ?? DefaultStep;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var value = await read().ConfigureAwait(false);
            if (condition(value)) return value;
            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException(TimedOut(limit, because ?? "the condition") + "; last seen: " + (describe ?? Describe)(value));
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds. Parameters and defaults as in
    /// <see cref="UntilAsync{T}(Func{Task{T}}, Func{T, bool}, TimeSpan?, TimeSpan?, string?, Func{T, string}?, CancellationToken)"/>.</summary>
    /// <exception cref="TimeoutException">The deadline passed; the message names <paramref name="because"/>.</exception>
    public static Task UntilAsync(
        Func<bool> condition,
        TimeSpan? timeout = null,
        TimeSpan? step = null,
        string? because = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, step, because, cancellationToken);
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds. Parameters and defaults as in
    /// <see cref="UntilAsync{T}(Func{Task{T}}, Func{T, bool}, TimeSpan?, TimeSpan?, string?, Func{T, string}?, CancellationToken)"/>.</summary>
    /// <exception cref="TimeoutException">The deadline passed; the message names <paramref name="because"/>.</exception>
    public static Task UntilAsync(
        Func<Task<bool>> condition,
        TimeSpan? timeout = null,
        TimeSpan? step = null,
        string? because = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(condition, held => held, timeout, step, because, cancellationToken: cancellationToken);
    }

    /// <summary>Awaits <paramref name="task"/>, or throws a <see cref="TimeoutException"/> naming <paramref name="because"/>
    /// after <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>, 30 s).</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan? timeout = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException(TimedOut(limit, because ?? "the task") + ".");
        }
    }

    /// <summary>Awaits <paramref name="task"/>, or throws a <see cref="TimeoutException"/> naming <paramref name="because"/>
    /// after <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>, 30 s).</summary>
    public static async Task WithinAsync(Task task, TimeSpan? timeout = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await task.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException(TimedOut(limit, because ?? "the task") + ".");
        }
    }

    internal static string TimedOut(TimeSpan limit, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"Timed out after {limit.TotalSeconds:0.###} s waiting for {what}");

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };
}
