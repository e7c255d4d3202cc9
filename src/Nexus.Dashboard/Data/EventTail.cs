using Nexus.Events;
using Nexus.Filters;
using Nexus.Storage;

namespace Nexus.Dashboard.Data;

/// <summary>The newest events of a namespace, for the live tail: read backwards from the log's head in growing windows
/// of positions (the log is indexed by namespace and position, and positions are shared by every namespace), at most
/// <see cref="MaxReads"/> bounded reads, then cut to the topic pattern and the filter (over the event document, as a
/// subscription's filter sees it). Never a scan of the log.</summary>
internal static class EventTail
{
    public const int MaxReads = 6;
    private const int Batch = 200;

    /// <summary>Up to <paramref name="show"/> matching events, newest first, and how many events were read.</summary>
    public static async Task<(IReadOnlyList<EventRecord> Events, int Read)> NewestAsync(
        IEventStore events, string ns, TopicPattern? pattern, JsonFilter? filter, int show, CancellationToken cancellationToken)
    {
        var head = (await events.CursorAtAsync(ns, SubscriptionStart.New, cancellationToken)).Position;
        if (head <= 0) return ([], 0);
        var window = 256L;
        var reads = 0;
        List<EventRecord> read = [];
        while (reads < MaxReads)
        {
            var from = Math.Max(1, head - window + 1);
            read = [];
            var next = from;
            // Forward from the window's start in batches; stop when a batch is not full (the head is reached).
            while (reads < MaxReads)
            {
                var batch = await events.ReadRangeAsync(new ReadRangeParams(ns, next, head, Batch), cancellationToken);
                reads++;
                read.AddRange(batch);
                if (batch.Count < Batch) break;
                next = batch[^1].Position + 1;
                if (read.Count > Batch * 2) read.RemoveRange(0, read.Count - Batch * 2);
            }
            var matched = read.Count(e => Matches(e, pattern, filter));
            if (matched >= show || from == 1) break;
            window *= 16;
        }
        var shown = read.Where(e => Matches(e, pattern, filter)).OrderByDescending(e => e.Position).Take(show).ToList();
        return (shown, read.Count);
    }

    public static bool Matches(EventRecord e, TopicPattern? pattern, JsonFilter? filter) =>
        (pattern is null || pattern.Matches(e.Topic)) && (filter is null || filter.Matches(EventDocument.Json(e)));
}
