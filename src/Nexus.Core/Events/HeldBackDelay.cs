namespace Nexus.Events;

/// <summary>How soon a reader of the log looks again after a read that left committed events behind the read horizon
/// (an older transaction still open on PostgreSQL, whose end announces nothing): 1 ms, doubling to <see cref="Max"/>
/// while it stays held back. Used by the event dispatcher and the live readers.</summary>
internal static class HeldBackDelay
{
    /// <summary>The longest wait between two looks while events are held back: at most ten small reads a second for as
    /// long as such a transaction stays open.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(100);

    /// <summary>The next wait: zero when not held back (wait for a wake or the interval), else the previous doubled.</summary>
    public static TimeSpan Next(TimeSpan previous, bool heldBack) =>
        !heldBack ? TimeSpan.Zero
        : previous == TimeSpan.Zero ? TimeSpan.FromMilliseconds(1)
        : TimeSpan.FromTicks(Math.Min(previous.Ticks * 2, Max.Ticks));

    /// <summary>How long to wait for a wake: the held-back delay when shorter than <paramref name="interval"/>.</summary>
    public static TimeSpan Wait(TimeSpan held, bool heldBack, TimeSpan interval) => heldBack && held < interval ? held : interval;
}
