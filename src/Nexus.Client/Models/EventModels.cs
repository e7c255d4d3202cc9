using System.Text.Json;

namespace Nexus.Client;

/// <summary>An event namespace.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it is for.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record NamespaceInfo(string Name, string? Description, DateTimeOffset CreatedAt);

/// <summary>An event to emit.</summary>
public sealed record EventToEmit
{
    /// <summary>The topic (dot-separated, not starting with <c>$</c>).</summary>
    public required string Topic { get; init; }
    /// <summary>The payload: any JSON value.</summary>
    public required JsonElement Payload { get; init; }
    /// <summary><c>low</c>, <c>normal</c> (default when null), <c>high</c> or <c>critical</c>.</summary>
    public string? Priority { get; init; }
    /// <summary>An optional key.</summary>
    public string? Key { get; init; }
    /// <summary>Headers.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    /// <summary>Unique per namespace: repeating it appends nothing.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>One emitted event.</summary>
/// <param name="Position">Its position.</param>
/// <param name="Created">False when its idempotency key was used before.</param>
public sealed record EmittedEvent(long Position, bool Created);

/// <summary>An event of the log.</summary>
public sealed record EventInfo
{
    /// <summary>Its position.</summary>
    public long Position { get; init; }
    /// <summary>The cursor after it.</summary>
    public string Cursor { get; init; } = "";
    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";
    /// <summary>The topic.</summary>
    public string Topic { get; init; } = "";
    /// <summary>The priority.</summary>
    public string Priority { get; init; } = "normal";
    /// <summary>The key, or null.</summary>
    public string? Key { get; init; }
    /// <summary>Headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>The payload.</summary>
    public JsonElement Payload { get; init; }
    /// <summary>When it was appended.</summary>
    public DateTimeOffset Time { get; init; }
    /// <summary>The idempotency key, or null.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>A page of the log.</summary>
/// <param name="Events">The events in log order.</param>
/// <param name="Next">The cursor to read on from.</param>
public sealed record EventPage(IReadOnlyList<EventInfo> Events, string Next);

/// <summary>Where a subscription starts or its cursor moves: <c>new</c>, <c>all</c>, <c>position</c> or <c>time</c>.</summary>
public sealed record SubscriptionStart
{
    /// <summary>The kind. Default <c>new</c>.</summary>
    public string Kind { get; init; } = "new";
    /// <summary>For <c>position</c>.</summary>
    public long? Position { get; init; }
    /// <summary>For <c>time</c>.</summary>
    public DateTimeOffset? Time { get; init; }
}

/// <summary>A subscription to create.</summary>
public sealed record SubscriptionDefinition
{
    /// <summary>The name.</summary>
    public required string Name { get; init; }
    /// <summary>The topic pattern.</summary>
    public required string Pattern { get; init; }
    /// <summary>A filter over the event document, or null.</summary>
    public JsonElement? Filter { get; init; }
    /// <summary><c>plugin</c> (default) or <c>consumer</c>.</summary>
    public string? Action { get; init; }
    /// <summary>The plugin (plugin action).</summary>
    public string? Target { get; init; }
    /// <summary>The args template (plugin action).</summary>
    public JsonElement? ArgsTemplate { get; init; }
    /// <summary>The queue of the deliveries (plugin action).</summary>
    public string? Queue { get; init; }
    /// <summary>Deliveries per event before it is a dead letter.</summary>
    public int? MaxDeliveries { get; init; }
    /// <summary>Where it starts.</summary>
    public SubscriptionStart? Start { get; init; }
    /// <summary>Per-key order: deliveries of events with the same key run one at a time, in log order. Default false.</summary>
    public bool? OrderedByKey { get; init; }
}

/// <summary>A subscription.</summary>
public sealed record SubscriptionInfo
{
    /// <summary>Its id.</summary>
    public long Id { get; init; }
    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";
    /// <summary>The name.</summary>
    public string Name { get; init; } = "";
    /// <summary>The pattern.</summary>
    public string Pattern { get; init; } = "";
    /// <summary>The filter, or null.</summary>
    public JsonElement? Filter { get; init; }
    /// <summary>The action.</summary>
    public string Action { get; init; } = "";
    /// <summary>The plugin or handler, or null.</summary>
    public string? Target { get; init; }
    /// <summary>The args template, or null.</summary>
    public JsonElement? ArgsTemplate { get; init; }
    /// <summary>The deliveries' queue.</summary>
    public string Queue { get; init; } = "";
    /// <summary>Deliveries per event.</summary>
    public int MaxDeliveries { get; init; }
    /// <summary>Per-key order: deliveries of one key run one at a time, in log order.</summary>
    public bool OrderedByKey { get; init; }
    /// <summary>Its cursor.</summary>
    public string Cursor { get; init; } = "";
    /// <summary>How far it is behind the log (list and get answers; null on the others).</summary>
    public SubscriptionLagInfo? Lag { get; init; }
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>How far a subscription is behind its namespace's log.</summary>
/// <param name="Events">Events after its cursor, not yet dispatched (an upper bound), counted up to 100,000.</param>
/// <param name="Oldest">When the oldest of them was appended, or null.</param>
/// <param name="AgeSeconds">Its age, in seconds (0 when caught up).</param>
public sealed record SubscriptionLagInfo(long Events, DateTimeOffset? Oldest, double AgeSeconds);

/// <summary>A range to replay to one subscription.</summary>
public sealed record ReplayRange
{
    /// <summary>First position (inclusive).</summary>
    public long? FromPosition { get; init; }
    /// <summary>Last position (inclusive).</summary>
    public long? ToPosition { get; init; }
    /// <summary>From this instant.</summary>
    public DateTimeOffset? FromTime { get; init; }
    /// <summary>Before this instant.</summary>
    public DateTimeOffset? ToTime { get; init; }
    /// <summary>Most events.</summary>
    public int? Max { get; init; }
    /// <summary>Names the replay (repeats deliver nothing twice).</summary>
    public string? ReplayId { get; init; }
}

/// <summary>What a replay did.</summary>
/// <param name="ReplayId">Its id.</param>
/// <param name="Events">Events selected.</param>
/// <param name="Deliveries">Deliveries made.</param>
public sealed record ReplayResult(string ReplayId, int Events, int Deliveries);

/// <summary>A delivery to a consumer.</summary>
/// <param name="Id">Its id.</param>
/// <param name="LeaseToken">The token for ack, nack and extend.</param>
/// <param name="Delivery">Which delivery of the event, 1-based.</param>
/// <param name="MaxDeliveries">Deliveries allowed.</param>
/// <param name="VisibleAgainAt">When it is delivered again unless acked or extended.</param>
/// <param name="Event">The event document.</param>
public sealed record EventDelivery(long Id, Guid LeaseToken, int Delivery, int MaxDeliveries, DateTimeOffset? VisibleAgainAt, JsonElement Event);

/// <summary>An event a subscription gave up on.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Subscription">The subscription.</param>
/// <param name="Position">The event's position.</param>
/// <param name="Topic">The topic.</param>
/// <param name="TaskId">The last delivery task.</param>
/// <param name="Deliveries">Deliveries made.</param>
/// <param name="Reason">Why.</param>
/// <param name="CreatedAt">When.</param>
public sealed record EventDeadLetter(long Id, string Subscription, long Position, string Topic, long? TaskId, int Deliveries, string Reason, DateTimeOffset CreatedAt);

internal sealed record NamespaceBody(string Name, string? Description);
internal sealed record EmitBody(IReadOnlyList<EventToEmit> Events);
internal sealed record EmitAnswer(IReadOnlyList<EmittedEvent> Events);
internal sealed record ReceiveBody(string? Consumer, int? Max, long? VisibilityTimeoutMs);
internal sealed record ReceiveAnswer(IReadOnlyList<EventDelivery> Deliveries);
internal sealed record DeliveryRefBody(long Id, Guid LeaseToken);
internal sealed record DeliveriesBody(IReadOnlyList<DeliveryRefBody> Deliveries, long? VisibilityTimeoutMs);
internal sealed record NackBody(long Id, Guid LeaseToken, long? DelayMs, string? Reason);
internal sealed record DeliveriesAnswer(IReadOnlyList<bool> Accepted);
