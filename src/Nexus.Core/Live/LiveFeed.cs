using Nexus.Events;

namespace Nexus.Live;

/// <summary>One live subscription: its channels, the cursor of the last change it was offered, and its sink. Offered
/// changes at or before the cursor are skipped, so the catch-up read and the reader's fan-out may overlap without a
/// duplicate.</summary>
internal sealed class LiveFeed(LiveRequest request, ILiveSink sink, LogCursor after)
{
    public LogCursor Cursor { get; private set; } = after;

    public bool Ended { get; private set; }

    /// <summary>Offers one change (in log order); false once the sink refused one (the feed has ended).</summary>
    public bool Offer(LiveChange change)
    {
        if (Ended) return false;
        if (change.Cursor <= Cursor) return true;
        Cursor = change.Cursor;
        List<string>? matched = null;
        foreach (var channel in request.Channels)
        {
            if (channel.Matches(change)) (matched ??= []).Add(channel.Text);
        }
        if (matched is null || sink.TryWrite(new LiveDelivery(request.Id, request.Namespace, change, matched))) return true;
        Ended = true;
        return false;
    }
}
