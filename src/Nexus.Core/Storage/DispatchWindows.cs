using Nexus.Events;

namespace Nexus.Storage;

/// <summary>
/// The shared read of a dispatch pass, for drivers: the due subscriptions of one namespace mostly sit at or near the
/// same cursor, so instead of reading the log once per subscription, a pass reads it once per <em>window</em> — from the
/// lowest cursor of a namespace's due subscriptions, up to the batch limit — and gives each subscription whose cursor
/// lies inside that window the part after its own cursor. A subscription whose cursor is past a full window's end (it
/// is far ahead of the others) starts a window of its own, so nobody waits behind a subscription that replays a
/// long backlog. With one subscription, or cursors far apart, this is exactly one read per subscription, as before.
/// </summary>
public static class DispatchWindows
{
    /// <summary>One subscription's share of a pass.</summary>
    /// <param name="Subscription">The subscription.</param>
    /// <param name="Batch">Its events: those of the window after its cursor, in log order (may be empty).</param>
    /// <param name="More">True when the window was full, so the log may hold more after it.</param>
    public readonly record struct Share(SubscriptionRecord Subscription, IReadOnlyList<EventRecord> Batch, bool More);

    /// <summary>Reads the windows of <paramref name="due"/> with <paramref name="read"/> (a namespace, a cursor: up to
    /// <paramref name="maxEvents"/> events after it, in log order, below the pass's horizon) and returns every due
    /// subscription's share, namespace by namespace in the order they first appear in <paramref name="due"/>, and in
    /// cursor order within one.</summary>
    public static async Task<IReadOnlyList<Share>> ReadAsync(
        IReadOnlyList<SubscriptionRecord> due, int maxEvents, Func<string, LogCursor, Task<IReadOnlyList<EventRecord>>> read)
    {
        ArgumentNullException.ThrowIfNull(due);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        var shares = new List<Share>(due.Count);
        foreach (var group in due.GroupBy(s => s.Namespace, StringComparer.Ordinal))
        {
            var subs = group.OrderBy(s => s.Cursor).ThenBy(s => s.Id).ToArray();
            var i = 0;
            while (i < subs.Length)
            {
                var window = await read(group.Key, subs[i].Cursor).ConfigureAwait(false);
                var more = window.Count >= maxEvents;
                var end = window.Count > 0 ? window[^1].Cursor : subs[i].Cursor;
                // The first of the window always takes it; the rest take it while their cursor is inside it. When the
                // window is not full it holds everything below the horizon, so every later cursor is inside.
                do
                {
                    shares.Add(new Share(subs[i], After(window, subs[i].Cursor), more));
                    i++;
                }
                while (i < subs.Length && (!more || subs[i].Cursor < end));
            }
        }
        return shares;
    }

    /// <summary>The events of <paramref name="window"/> (in log order) after <paramref name="cursor"/>.</summary>
    private static IReadOnlyList<EventRecord> After(IReadOnlyList<EventRecord> window, LogCursor cursor)
    {
        int lo = 0, hi = window.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (window[mid].Cursor > cursor) hi = mid;
            else lo = mid + 1;
        }
        if (lo == 0) return window;
        if (lo == window.Count) return [];
        var slice = new EventRecord[window.Count - lo];
        for (var k = 0; k < slice.Length; k++) slice[k] = window[lo + k];
        return slice;
    }
}
