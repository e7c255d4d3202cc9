using System.Diagnostics;

namespace Nexus.Bench;

/// <summary>Paces a producer on a timeline without spinning: it sleeps until an item's slot (rounded up to the timer's
/// millisecond) and sends at once when behind, so the average rate holds and the producer costs no CPU while it waits.
/// A spin-wait here took one of the machine's two cores away from the engine and the database at 1,000 items/s and
/// showed up as latency in the very figures it paced.</summary>
internal static class Pacer
{
    /// <summary>Waits until <paramref name="due"/> has passed on <paramref name="pace"/>'s timeline.</summary>
    public static async Task UntilAsync(Stopwatch pace, TimeSpan due)
    {
        var wait = due - pace.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait + TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - 1)).ConfigureAwait(false);
    }
}
