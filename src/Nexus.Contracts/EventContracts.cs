using System.Text.Json;

namespace Nexus.Contracts;

/// <summary>A namespace to create.</summary>
public sealed record CreateNamespaceRequest
{
    /// <summary>1–64 lower-case letters, digits, <c>_</c> or <c>-</c>, starting with a letter or digit.</summary>
    public string? Name { get; init; }
    /// <summary>What it is for (up to 500 characters).</summary>
    public string? Description { get; init; }
}

/// <summary>A namespace.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it is for.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record NamespaceResponse(string Name, string? Description, DateTimeOffset CreatedAt);

/// <summary>One event to emit.</summary>
public sealed record EmitEventRequest
{
    /// <summary>An empty event: set the fields with an initializer.</summary>
    public EmitEventRequest() { }

    /// <summary>A event with its required fields; the others with an initializer.</summary>
    public EmitEventRequest(string topic, JsonElement payload)
    {
        Topic = topic;
        Payload = payload;
    }

    /// <summary>The topic: dot-separated segments of letters, digits, <c>_</c> and <c>-</c>; not starting with <c>$</c>.</summary>
    public string? Topic { get; init; }
    /// <summary>The payload: any JSON value.</summary>
    public JsonElement? Payload { get; init; }
    /// <summary><c>low</c>, <c>normal</c> (default), <c>high</c> or <c>critical</c>.</summary>
    public string? Priority { get; init; }
    /// <summary>An optional key (an entity id), up to 255 characters.</summary>
    public string? Key { get; init; }
    /// <summary>Headers: up to 32 string values.</summary>
    public Dictionary<string, string>? Headers { get; init; }
    /// <summary>Unique per namespace: the same key again returns the first event's position and appends nothing.</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>Many events to emit in one transaction.</summary>
public sealed record EmitEventsRequest
{
    /// <summary>1–10,000 events.</summary>
    public IReadOnlyList<EmitEventRequest>? Events { get; init; }
}

/// <summary>What an emit did, per event in order.</summary>
/// <param name="Events">Positions, and whether each was appended (false: its idempotency key was used before).</param>
public sealed record EmitResponse(IReadOnlyList<EmittedEvent> Events);

/// <summary>One emitted event.</summary>
/// <param name="Position">Its position in the log.</param>
/// <param name="Created">False when its idempotency key was used before (the position is the first event's).</param>
public sealed record EmittedEvent(long Position, bool Created);

/// <summary>An event of the log.</summary>
public sealed record EventResponse
{
    /// <summary>Its position.</summary>
    public required long Position { get; init; }
    /// <summary>The cursor after it (pass as <c>after</c> to read on).</summary>
    public required string Cursor { get; init; }
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }
    /// <summary>The priority.</summary>
    public required string Priority { get; init; }
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
/// <param name="Events">The events, in log order.</param>
/// <param name="Next">The cursor to read on from (<c>after</c>).</param>
public sealed record EventPageResponse(IReadOnlyList<EventResponse> Events, string Next);

/// <summary>Where a subscription starts, or where its cursor moves.</summary>
public sealed record SubscriptionStartRequest
{
    /// <summary><c>new</c> (default), <c>all</c>, <c>position</c> or <c>time</c>.</summary>
    public string? Kind { get; init; }
    /// <summary>For <c>position</c>: events after this position.</summary>
    public long? Position { get; init; }
    /// <summary>For <c>time</c>: events at or after this instant.</summary>
    public DateTimeOffset? Time { get; init; }
}

/// <summary>A subscription to create.</summary>
public sealed record CreateSubscriptionRequest
{
    /// <summary>An empty subscription: set the fields with an initializer.</summary>
    public CreateSubscriptionRequest() { }

    /// <summary>A subscription with its required fields; the others with an initializer.</summary>
    public CreateSubscriptionRequest(string name, string pattern)
    {
        Name = name;
        Pattern = pattern;
    }

    /// <summary>Unique in the namespace: 1–64 letters, digits, <c>_</c> or <c>-</c>.</summary>
    public string? Name { get; init; }
    /// <summary>The topic pattern: <c>*</c> one segment, <c>&gt;</c> the rest (<c>orders.*</c>, <c>orders.&gt;</c>).</summary>
    public string? Pattern { get; init; }
    /// <summary>A filter (docs/filters.md) over the event document (<c>topic</c>, <c>key</c>, <c>priority</c>, <c>headers</c>, <c>payload</c>).</summary>
    public JsonElement? Filter { get; init; }
    /// <summary><c>plugin</c> (default) or <c>consumer</c>.</summary>
    public string? Action { get; init; }
    /// <summary>The plugin to run (plugin action).</summary>
    public string? Target { get; init; }
    /// <summary>The args template (plugin action): <c>"{{payload.id}}"</c> takes a value of the event document.</summary>
    public JsonElement? ArgsTemplate { get; init; }
    /// <summary>The queue of the delivery tasks (plugin action). Default: the plugin's.</summary>
    public string? Queue { get; init; }
    /// <summary>Deliveries per event before it goes to the namespace's dead letters, 1–100. Default 5.</summary>
    public int? MaxDeliveries { get; init; }
    /// <summary>Where it starts. Default: new events only.</summary>
    public SubscriptionStartRequest? Start { get; init; }
    /// <summary>Per-key order: deliveries of events with the same <c>key</c> run one at a time, in log order; events without a key are unordered. Default false.</summary>
    public bool? OrderedByKey { get; init; }
}

/// <summary>A subscription.</summary>
public sealed record SubscriptionResponse
{
    /// <summary>Its id.</summary>
    public required long Id { get; init; }
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The name.</summary>
    public required string Name { get; init; }
    /// <summary>The topic pattern.</summary>
    public required string Pattern { get; init; }
    /// <summary>The filter, or null.</summary>
    public JsonElement? Filter { get; init; }
    /// <summary>The action kind.</summary>
    public required string Action { get; init; }
    /// <summary>The plugin or handler, or null.</summary>
    public string? Target { get; init; }
    /// <summary>The args template, or null.</summary>
    public JsonElement? ArgsTemplate { get; init; }
    /// <summary>The queue its deliveries go to.</summary>
    public required string Queue { get; init; }
    /// <summary>Deliveries per event before it is a dead letter.</summary>
    public int MaxDeliveries { get; init; }
    /// <summary>Per-key order: deliveries of one key run one at a time, in log order.</summary>
    public bool OrderedByKey { get; init; }
    /// <summary>Its cursor: every event up to it has been dispatched.</summary>
    public required string Cursor { get; init; }
    /// <summary>How far it is behind the log (on list and get; null elsewhere).</summary>
    public SubscriptionLagResponse? Lag { get; init; }
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A replay of a range to one subscription.</summary>
public sealed record ReplayEventsRequest
{
    /// <summary>First position (inclusive).</summary>
    public long? FromPosition { get; init; }
    /// <summary>Last position (inclusive).</summary>
    public long? ToPosition { get; init; }
    /// <summary>Events appended at or after this instant.</summary>
    public DateTimeOffset? FromTime { get; init; }
    /// <summary>Events appended before this instant.</summary>
    public DateTimeOffset? ToTime { get; init; }
    /// <summary>Most events, 1–10,000. Default 1,000.</summary>
    public int? Max { get; init; }
    /// <summary>Names the replay: the same id again delivers nothing twice.</summary>
    public string? ReplayId { get; init; }
}

/// <summary>What a replay did.</summary>
/// <param name="ReplayId">Its id.</param>
/// <param name="Events">Events in the range that the subscription selects.</param>
/// <param name="Deliveries">Deliveries made.</param>
public sealed record ReplayResponse(string ReplayId, int Events, int Deliveries);

/// <summary>A consumer's read of a batch.</summary>
public sealed record ReceiveRequest
{
    /// <summary>Who reads (for the record), 1–128 characters.</summary>
    public string? Consumer { get; init; }
    /// <summary>Most deliveries, 1–1000. Default 10.</summary>
    public int? Max { get; init; }
    /// <summary>How long the deliveries stay invisible to the group's other consumers, 1 s–12 h. Default 30 s.</summary>
    public long? VisibilityTimeoutMs { get; init; }
}

/// <summary>One delivery to a consumer.</summary>
/// <param name="Id">The delivery's id.</param>
/// <param name="LeaseToken">The token to ack, nack or extend with.</param>
/// <param name="Delivery">Which delivery of the event this is, 1-based.</param>
/// <param name="MaxDeliveries">Deliveries allowed.</param>
/// <param name="VisibleAgainAt">When it is delivered again unless acked or extended.</param>
/// <param name="Event">The event document.</param>
public sealed record DeliveryResponse(long Id, Guid LeaseToken, int Delivery, int MaxDeliveries, DateTimeOffset? VisibleAgainAt, JsonElement Event);

/// <summary>A batch for a consumer.</summary>
/// <param name="Deliveries">The deliveries, highest priority first.</param>
public sealed record ReceiveResponse(IReadOnlyList<DeliveryResponse> Deliveries);

/// <summary>A delivery named by its id and lease token.</summary>
public sealed record DeliveryRef
{
    /// <summary>An empty delivery reference: set the fields with an initializer.</summary>
    public DeliveryRef() { }

    /// <summary>A delivery reference with its required fields; the others with an initializer.</summary>
    public DeliveryRef(long id, Guid leaseToken)
    {
        Id = id;
        LeaseToken = leaseToken;
    }

    /// <summary>The delivery's id.</summary>
    public long? Id { get; init; }
    /// <summary>The lease token it was received with.</summary>
    public Guid? LeaseToken { get; init; }
}

/// <summary>Deliveries to ack or extend.</summary>
public sealed record DeliveriesRequest
{
    /// <summary>1–1000 deliveries.</summary>
    public IReadOnlyList<DeliveryRef>? Deliveries { get; init; }
    /// <summary>For extend: the new visibility timeout from now, 1 s–12 h. Default 30 s.</summary>
    public long? VisibilityTimeoutMs { get; init; }
}

/// <summary>A delivery given back.</summary>
public sealed record NackRequest
{
    /// <summary>The delivery's id.</summary>
    public long? Id { get; init; }
    /// <summary>The lease token it was received with.</summary>
    public Guid? LeaseToken { get; init; }
    /// <summary>Deliver again after this many milliseconds (0–86,400,000). Default 0.</summary>
    public long? DelayMs { get; init; }
    /// <summary>Why (kept with the dead letter after the last delivery).</summary>
    public string? Reason { get; init; }
}

/// <summary>Per delivery, in order: whether it was accepted (false: its visibility lapsed, or it is not this subscription's).</summary>
/// <param name="Accepted">One flag per delivery.</param>
public sealed record DeliveriesResponse(IReadOnlyList<bool> Accepted);

/// <summary>An event a subscription gave up on.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Subscription">The subscription.</param>
/// <param name="Position">The event's position.</param>
/// <param name="Topic">The event's topic.</param>
/// <param name="TaskId">The last delivery task, or null.</param>
/// <param name="Deliveries">Deliveries made.</param>
/// <param name="Reason">Why.</param>
/// <param name="CreatedAt">When.</param>
public sealed record EventDeadLetterResponse(long Id, string Subscription, long Position, string Topic, long? TaskId, int Deliveries, string Reason, DateTimeOffset CreatedAt);

/// <summary>How far a subscription's cursor is behind its namespace's log.</summary>
/// <param name="Events">Events after the cursor, not yet dispatched (an upper bound: some may not match), counted up to 100,000.</param>
/// <param name="Oldest">When the oldest of them was appended, or null.</param>
/// <param name="AgeSeconds">Its age now, in seconds (0 when caught up).</param>
public sealed record SubscriptionLagResponse(long Events, DateTimeOffset? Oldest, double AgeSeconds);
