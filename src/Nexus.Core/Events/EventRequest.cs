using System.Text.Json;

namespace Nexus.Events;

/// <summary>An event to emit.</summary>
/// <param name="Topic">The topic (dot-separated; not starting with <c>$</c>).</param>
/// <param name="PayloadJson">The payload, any JSON value as text.</param>
public sealed record EventRequest(string Topic, string PayloadJson)
{
    /// <summary>The priority. Default normal.</summary>
    public EventPriority Priority { get; init; } = EventPriority.Normal;
    /// <summary>An optional key (an entity id: per-key order, grouping); up to 255 characters.</summary>
    public string? Key { get; init; }
    /// <summary>Headers: up to 32, names up to 64 characters, values up to 1024.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    /// <summary>An idempotency key, unique per namespace (up to 255 characters): emitting it again returns the first
    /// event's position and appends nothing.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>An event with a payload serialized by <see cref="NexusJson.Options"/>.</summary>
    public static EventRequest Of<T>(string topic, T payload) => new(topic, JsonSerializer.Serialize(payload, NexusJson.Options));
}

/// <summary>A subscription to make.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Name">The name, unique in the namespace.</param>
/// <param name="Pattern">The topic pattern: <c>*</c> one segment, <c>&gt;</c> the rest.</param>
public sealed record SubscriptionRequest(string Namespace, string Name, string Pattern)
{
    /// <summary>The filter (docs/filters.md) over the event document (<c>topic</c>, <c>key</c>, <c>priority</c>,
    /// <c>headers</c>, <c>payload</c>, …), as JSON; null matches every event.</summary>
    public string? Filter { get; init; }
    /// <summary>The action kind: <c>plugin</c> (default), <c>consumer</c>, <c>handler</c>, or one an
    /// <see cref="ISubscriptionAction"/> adds.</summary>
    public string Action { get; init; } = SubscriptionActions.Plugin;
    /// <summary>The plugin (plugin action) or handler name (handler action).</summary>
    public string? Target { get; init; }
    /// <summary>The args template of a plugin action, JSON: a string <c>"{{payload.id}}"</c> becomes the value at that
    /// path of the event document, and <c>{{…}}</c> inside longer strings is replaced by its text. Null passes the payload
    /// (an object) or <c>{"payload": …}</c>.</summary>
    public string? ArgsTemplate { get; init; }
    /// <summary>The queue of the delivery tasks (plugin and handler actions). Default: the plugin's queue, or <c>default</c>.</summary>
    public string? Queue { get; init; }
    /// <summary>Deliveries per event before it goes to the namespace's dead letters. Default 5.</summary>
    public int MaxDeliveries { get; init; } = 5;
    /// <summary>Where it starts. Default: new events only.</summary>
    public SubscriptionStart Start { get; init; } = SubscriptionStart.New;
    /// <summary>Per-key order: deliveries of events with the same <c>key</c> run one at a time, in log order (the next
    /// waits until the previous one succeeded, or is dead or cancelled); events without a key are unordered. Default
    /// false.</summary>
    public bool OrderedByKey { get; init; }
}

/// <summary>A replay: the events of a range delivered again to one subscription, as new deliveries.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Subscription">The subscription's name.</param>
public sealed record ReplayRequest(string Namespace, string Subscription)
{
    /// <summary>First position (inclusive).</summary>
    public long? FromPosition { get; init; }
    /// <summary>Last position (inclusive).</summary>
    public long? ToPosition { get; init; }
    /// <summary>Events appended at or after this time.</summary>
    public DateTimeOffset? FromTime { get; init; }
    /// <summary>Events appended before this time.</summary>
    public DateTimeOffset? ToTime { get; init; }
    /// <summary>Most events replayed (1–10,000). Default 1,000.</summary>
    public int Max { get; init; } = 1000;
    /// <summary>Names this replay: the same id again does not deliver twice. Default: a new one.</summary>
    public string? ReplayId { get; init; }
}

/// <summary>What a replay did.</summary>
/// <param name="ReplayId">The replay's id.</param>
/// <param name="Events">Events in the range that the subscription's pattern and filter select.</param>
/// <param name="Deliveries">Delivery tasks made (fewer when the same replay id ran before).</param>
public sealed record ReplayResult(string ReplayId, int Events, int Deliveries);
