namespace Nexus.Events;

/// <summary>How far a subscription's cursor is behind its namespace's log.</summary>
/// <param name="Events">Events after the cursor, not yet dispatched (some may not match the pattern or filter: it is an
/// upper bound), counted up to <see cref="SubscriptionLag.Cap"/>.</param>
/// <param name="Oldest">When the oldest of them was appended, or null when there is none.</param>
public sealed record SubscriptionLag(long Events, DateTimeOffset? Oldest)
{
    /// <summary>The most events counted: past it the count stops (and reads <see cref="Cap"/>). Kept small so that a
    /// probe of a subscription far behind costs a few milliseconds (it walks at most this many index entries); the age
    /// of the oldest event (<see cref="AgeAt"/>) keeps telling how far behind such a subscription is.</summary>
    public const int Cap = 10_000;

    /// <summary>No event behind.</summary>
    public static SubscriptionLag None { get; } = new(0, null);

    /// <summary>The age of the oldest undispatched event at <paramref name="now"/> (zero when none).</summary>
    public TimeSpan AgeAt(DateTimeOffset now) => Oldest is { } t && now > t ? now - t : TimeSpan.Zero;
}
