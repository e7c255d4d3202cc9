using System.Globalization;

namespace Nexus.Tasks;

/// <summary>
/// The range of every instant and duration Nexus accepts, chosen so that each can be stored, read back and acted on by
/// both stores (SQLite keeps Unix milliseconds, PostgreSQL <c>timestamptz</c>) and by the engine (whose timers take at
/// most <see cref="int.MaxValue"/> milliseconds). Submits outside them fail naming the field; delays the engine
/// computes (backoff, snoozes, external workers' retries) are clamped to them; and a value already stored outside them
/// (by an older Nexus, or by hand) is read back clamped instead of failing the read.
/// </summary>
public static class TaskBounds
{
    /// <summary>The longest submit delay, and how far ahead of now a <c>runAt</c> may be: 100 years (36,500 days).</summary>
    public static TimeSpan MaxDelay { get; } = TimeSpan.FromDays(36_500);

    /// <summary>The earliest <c>runAt</c> accepted: 1970-01-01T00:00:00Z. Earlier instants in range run at once anyway.</summary>
    public static DateTimeOffset MinRunAt { get; } = DateTimeOffset.UnixEpoch;

    /// <summary>The longest per-attempt timeout: 24 days (2,073,600,000 ms), below the ~24.8 days every timer accepts.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromDays(24);

    /// <summary>The longest single retry delay (a retry policy's initial and maximum delay, a snooze): 365 days.</summary>
    public static TimeSpan MaxRetryDelay { get; } = TimeSpan.FromDays(365);

    /// <summary>The latest instant a store reads back: 9999-12-31T23:59:59.999Z (later stored values read as this).</summary>
    public static DateTimeOffset MaxInstant { get; } = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());

    /// <summary>The earliest instant a store reads back: 0001-01-01T00:00:00Z (earlier stored values read as this).</summary>
    public static DateTimeOffset MinInstant { get; } = DateTimeOffset.MinValue;

    /// <summary>The latest <c>runAt</c> accepted at <paramref name="now"/>: <paramref name="now"/> + <see cref="MaxDelay"/>.</summary>
    public static DateTimeOffset LatestRunAt(DateTimeOffset now) => now > DateTimeOffset.MaxValue - MaxDelay ? DateTimeOffset.MaxValue : now + MaxDelay;

    /// <summary>A delay moved into 0..<see cref="MaxDelay"/>.</summary>
    public static TimeSpan ClampDelay(TimeSpan delay) => Clamp(delay, TimeSpan.Zero, MaxDelay);

    /// <summary>A retry or snooze delay moved into 0..<see cref="MaxRetryDelay"/>.</summary>
    public static TimeSpan ClampRetryDelay(TimeSpan delay) => Clamp(delay, TimeSpan.Zero, MaxRetryDelay);

    /// <summary>A timeout moved into 1 ms..<see cref="MaxTimeout"/>.</summary>
    public static TimeSpan ClampTimeout(TimeSpan timeout) => Clamp(timeout, TimeSpan.FromMilliseconds(1), MaxTimeout);

    /// <summary>A stored timeout in milliseconds as a <see cref="TimeSpan"/> in 1 ms..<see cref="MaxTimeout"/>, whatever the number.</summary>
    public static TimeSpan TimeoutFromMilliseconds(long milliseconds) =>
        TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 1, (long)MaxTimeout.TotalMilliseconds));

    /// <summary>A stored retry delay in milliseconds as a <see cref="TimeSpan"/> in 0..<see cref="MaxRetryDelay"/>
    /// (NaN reads as 0), whatever the number.</summary>
    public static TimeSpan RetryDelayFromMilliseconds(double milliseconds) =>
        double.IsNaN(milliseconds) ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, MaxRetryDelay.TotalMilliseconds));

    /// <summary>Stored Unix milliseconds as an instant in <see cref="MinInstant"/>..<see cref="MaxInstant"/>, whatever the number.</summary>
    public static DateTimeOffset FromUnixMilliseconds(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(milliseconds, MinInstant.ToUnixTimeMilliseconds(), MaxInstant.ToUnixTimeMilliseconds()));

    /// <summary>How a bound reads in an error message, e.g. <c>100 years (3153600000000 ms)</c> or <c>24 days (2073600000 ms)</c>.</summary>
    public static string Describe(TimeSpan bound) => bound.TotalDays switch
    {
        >= 730 and var d when d % 365 == 0 => string.Create(CultureInfo.InvariantCulture, $"{d / 365:0} years ({bound.TotalMilliseconds:0} ms)"),
        var d => string.Create(CultureInfo.InvariantCulture, $"{d:0.###} days ({bound.TotalMilliseconds:0} ms)"),
    };

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
