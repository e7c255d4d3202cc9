using Nexus.Events;

namespace Nexus.Live;

/// <summary>
/// Live subscriptions over the one log (docs/realtime.md): a subscription names a namespace, channels and where to
/// start, and receives every matching change after that cursor, in log order, exactly once — first what it missed,
/// read from the log, then what this node's one reader of the namespace's log fans out. From DI after <c>AddNexus</c>;
/// the server's <c>/ws</c>, <c>/sse</c> and state watch are built on it.
/// </summary>
public interface INexusLive
{
    /// <summary>Starts a subscription. Deliveries go to <paramref name="sink"/> (never blocked: a sink that refuses one
    /// ends the subscription, see <see cref="ILiveSink"/>). Dispose the result to end it.</summary>
    /// <exception cref="LogCompactedException">Retention has removed events after <see cref="LiveRequest.After"/>: the
    /// client must read the current state and subscribe again from <see cref="HeadAsync"/>.</exception>
    Task<IAsyncDisposable> SubscribeAsync(LiveRequest request, ILiveSink sink, CancellationToken cancellationToken = default);

    /// <summary>The cursor of "now" in a namespace's log: subscribing after it receives only what is appended later.
    /// Take it before reading the current state, then subscribe from it: nothing falls between.</summary>
    Task<LogCursor> HeadAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>The cursor to resume after: <paramref name="after"/> itself, or for a bare position (as an emit answers
    /// it; parsed as <c>0-position</c>) the cursor of the event at that position. <see cref="SubscribeAsync"/> does the
    /// same; call it first to refuse a bad position before answering.</summary>
    /// <exception cref="TaskValidationException">No event has that position in the namespace (field
    /// <paramref name="field"/>).</exception>
    Task<LogCursor> ResolveAsync(string @namespace, LogCursor after, string field = "after", CancellationToken cancellationToken = default);
}

/// <summary>What a live subscription asks for.</summary>
/// <param name="Id">The client's name for it, echoed in every delivery.</param>
/// <param name="Namespace">The namespace (the caller's rights are checked by whoever calls).</param>
/// <param name="Channels">One or more channels; a change is delivered once with every channel it matched.</param>
/// <param name="After">Deliver what comes after this cursor; null: from now.</param>
public sealed record LiveRequest(string Id, string Namespace, IReadOnlyList<LiveChannel> Channels, LogCursor? After);

/// <summary>One change for one subscription.</summary>
/// <param name="SubscriptionId">The subscription's id.</param>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Change">The change.</param>
/// <param name="Channels">The subscription's channels it matched, in the order they were given.</param>
public sealed record LiveDelivery(string SubscriptionId, string Namespace, LiveChange Change, IReadOnlyList<string> Channels);

/// <summary>Where deliveries go: typically a connection's bounded buffer. Called from the namespace's reader; must not
/// block.</summary>
public interface ILiveSink
{
    /// <summary>Takes a delivery; false when full — the subscription then ends, and the sink should cut its client off
    /// with a reason (a slow consumer).</summary>
    bool TryWrite(LiveDelivery delivery);
}

/// <summary>The log no longer holds everything after the cursor asked for: read the current state, then subscribe
/// again from the head.</summary>
public sealed class LogCompactedException(string @namespace, LogCursor after, LogCursor horizon)
    : NexusException("resync-needed", $"The log of namespace '{@namespace}' no longer holds every change after {after}: retention removed changes up to {horizon}. Read the current state and subscribe again from the head.")
{
    /// <summary>The cursor asked for.</summary>
    public LogCursor After { get; } = after;
    /// <summary>The retention horizon.</summary>
    public LogCursor Horizon { get; } = horizon;
}
