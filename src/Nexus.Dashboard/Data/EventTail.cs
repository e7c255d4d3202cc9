using Nexus.Events;
using Nexus.Filters;
using Nexus.Storage;

namespace Nexus.Dashboard.Data;

/// <summary>The newest events of a namespace, for the live tail: read backwards from the log's head in windows of
/// positions (the log is indexed by namespace and position, and positions are shared by every namespace), at most
/// <see cref="MaxReads"/> bounded reads, cut to the topic pattern and the filter (over the event document, as a
/// subscription's filter sees it). Never a scan of the log.</summary>
internal static class EventTail
{
    public const int MaxReads = 6;
    private const int Batch = 200;

    /// <summary>Up to <paramref name="show"/> matching events, newest first, and how many events were read. Windows of
    /// positions are read from the head backwards: a window that holds a full batch is too dense and is read again a
    /// quarter as wide (so the newest events are never skipped), a sparse one moves the next window back and makes it
    /// four times as wide; at most <see cref="MaxReads"/> reads.</summary>
    public static async Task<(IReadOnlyList<EventRecord> Events, int Read)> NewestAsync(
        IEventStore events, string ns, TopicPattern? pattern, JsonFilter? filter, int show, CancellationToken cancellationToken)
    {
        var to = (await events.CursorAtAsync(ns, SubscriptionStart.New, cancellationToken)).Position;
        var window = 256L;
        var read = 0;
        var shown = new List<EventRecord>();
        for (var reads = 0; reads < MaxReads && to >= 1 && shown.Count < show; reads++)
        {
            var from = Math.Max(1, to - window + 1);
            var batch = await events.ReadRangeAsync(new ReadRangeParams(ns, from, to, Batch), cancellationToken);
            if (batch.Count == Batch && window > 1)
            {
                window = Math.Max(1, window / 4);
                continue;
            }
            read += batch.Count;
            shown.AddRange(batch.Where(e => Matches(e, pattern, filter)).OrderByDescending(e => e.Position));
            to = from - 1;
            window *= 4;
        }
        return (shown.Take(show).ToList(), read);
    }

    public static bool Matches(EventRecord e, TopicPattern? pattern, JsonFilter? filter) =>
        (pattern is null || pattern.Matches(e.Topic)) && (filter is null || filter.Matches(EventDocument.Json(e)));
}
