namespace Nexus.Engine;

/// <summary>A moving average of how long attempts take here, to tell whether claiming a few tasks ahead of the free
/// slots pays: it does when attempts are shorter than a claim round trip, and it would only hoard work that other
/// nodes could run when they are long. No sample yet counts as long, so a burst of unknown tasks is never hoarded.</summary>
internal sealed class AttemptDurations
{
    /// <summary>Attempts averaging below this are short.</summary>
    public static readonly TimeSpan ShortBelow = TimeSpan.FromMilliseconds(10);

    private long _averageTicks = long.MaxValue;

    /// <summary>True when the recent attempts here were short.</summary>
    public bool Short => Volatile.Read(ref _averageTicks) < ShortBelow.Ticks;

    /// <summary>Adds one attempt's duration (weight 1/8; races between threads only blur the average).</summary>
    public void Add(TimeSpan duration)
    {
        var sample = Math.Max(0, duration.Ticks);
        var current = Volatile.Read(ref _averageTicks);
        var next = current == long.MaxValue ? sample : current + ((sample - current) / 8);
        Volatile.Write(ref _averageTicks, next);
    }
}
