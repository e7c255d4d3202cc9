using Nexus.Events;

namespace Nexus.Storage;

/// <summary>
/// The event log and what reads it: namespaces, the append-only log, subscriptions (durable cursors) and the
/// namespaces' dead letters. Appends are ordered and readers never skip an event that commits late (see
/// <see cref="LogCursor"/>). Deliveries are tasks, inserted by <see cref="DispatchAsync"/> in the same transaction that
/// moves the subscription's cursor.
/// </summary>
public interface IEventStore
{
    /// <summary>Creates a namespace, or returns the existing one (<c>Created</c> false).</summary>
    Task<(NamespaceRecord Namespace, bool Created)> CreateNamespaceAsync(NewNamespace p, CancellationToken cancellationToken = default);

    /// <summary>Every namespace, by name.</summary>
    Task<IReadOnlyList<NamespaceRecord>> ListNamespacesAsync(CancellationToken cancellationToken = default);

    /// <summary>One namespace, or null.</summary>
    Task<NamespaceRecord?> GetNamespaceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Appends events to one namespace in one transaction; results in order. A repeated idempotency key
    /// returns the first event's position with <c>Created</c> false and appends nothing for it.</summary>
    /// <exception cref="StoreException">Code <c>namespace-not-found</c> when the namespace does not exist.</exception>
    Task<IReadOnlyList<AppendResult>> AppendAsync(AppendEventsParams p, CancellationToken cancellationToken = default);

    /// <summary>Reads events after a cursor, in log order, only as far as no earlier event can still commit.</summary>
    Task<EventPage> ReadAsync(ReadEventsParams p, CancellationToken cancellationToken = default);

    /// <summary>Reads events by position range (inclusive), in position order: for replays and lookups.</summary>
    Task<IReadOnlyList<EventRecord>> ReadRangeAsync(ReadRangeParams p, CancellationToken cancellationToken = default);

    /// <summary>The cursor just before <paramref name="start"/>: what a reader starting there has already "read".</summary>
    Task<LogCursor> CursorAtAsync(string @namespace, SubscriptionStart start, CancellationToken cancellationToken = default);

    /// <summary>How far a cursor is behind the log: the events of <paramref name="namespace"/> after <paramref name="after"/>
    /// (counted up to <paramref name="cap"/>, so the cost is bounded) and the time of the oldest of them.</summary>
    Task<SubscriptionLag> LagAsync(string @namespace, LogCursor after, int cap, CancellationToken cancellationToken = default);

    /// <summary>Creates a subscription at its start. Throws <see cref="StoreException"/> code
    /// <c>subscription-exists</c> when the name is taken in the namespace.</summary>
    Task<SubscriptionRecord> CreateSubscriptionAsync(NewSubscription p, CancellationToken cancellationToken = default);

    /// <summary>One subscription by namespace and name, or null.</summary>
    Task<SubscriptionRecord?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>One subscription by id, or null.</summary>
    Task<SubscriptionRecord?> GetSubscriptionAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The subscriptions of a namespace (null: every namespace), by name.</summary>
    Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(string? @namespace, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription (its pending deliveries stay as tasks). False when there was none.</summary>
    Task<bool> DeleteSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Moves a subscription's cursor (forward skips events, backward dispatches them again). False when there is no such subscription.</summary>
    Task<bool> MoveCursorAsync(long subscriptionId, LogCursor cursor, CancellationToken cancellationToken = default);

    /// <summary>In one transaction per call: takes up to <see cref="DispatchParams.MaxSubscriptions"/> subscriptions no
    /// other dispatcher holds, reads up to <see cref="DispatchParams.MaxEvents"/> events after each one's cursor (shared
    /// among the subscriptions of a namespace: see <see cref="DispatchWindows"/>), inserts
    /// the delivery tasks that <paramref name="plan"/> returns for them, and moves each cursor past what it read. The
    /// tasks and the cursor commit together, so each event is planned once per subscription. Planned tasks with a
    /// <see cref="DeliveryOwner"/> (per-key order) are then released as <see cref="ReleaseDeliveriesAsync"/> does, in
    /// the same transaction.</summary>
    Task<DispatchResult> DispatchAsync(DispatchParams p, Func<SubscriptionRecord, IReadOnlyList<EventRecord>, IReadOnlyList<NewTask>> plan, CancellationToken cancellationToken = default);

    /// <summary>For each <see cref="DeliveryOwner"/> link with no task available, scheduled, running or retrying, makes
    /// its oldest waiting task available. Serialized per link with the dispatch (on PostgreSQL a transaction-scoped
    /// advisory lock per link), so a delivery inserted while the previous one finishes is never left waiting. Returns
    /// how many were released.</summary>
    Task<int> ReleaseDeliveriesAsync(ReleaseDeliveriesParams p, CancellationToken cancellationToken = default);

    /// <summary>Records an event that a subscription gave up on, in its namespace's dead letters.</summary>
    Task AddDeadLetterAsync(NewDeadLetter p, CancellationToken cancellationToken = default);

    /// <summary>A namespace's dead letters, newest first.</summary>
    Task<IReadOnlyList<EventDeadLetter>> ListDeadLettersAsync(string @namespace, int limit, CancellationToken cancellationToken = default);

    /// <summary>Retention: drops (PostgreSQL: whole partitions) or deletes in batches (SQLite) events older than
    /// <see cref="LogMaintenanceParams.RetainFor"/>, and makes partitions ahead (PostgreSQL). Returns events removed
    /// (PostgreSQL: partitions dropped).</summary>
    Task<int> MaintainAsync(LogMaintenanceParams p, CancellationToken cancellationToken = default);

    /// <summary>A namespace's retention horizon: the latest cursor at which retention ever removed one of its events
    /// (<see cref="LogCursor.Start"/> when it never removed one). A reader whose cursor is below it may have missed
    /// events and must resync; at or above it, reading on misses nothing.</summary>
    Task<LogCursor> HorizonAsync(string @namespace, CancellationToken cancellationToken = default);
}

/// <summary>Params of <see cref="IEventStore.CreateNamespaceAsync"/>.</summary>
/// <param name="Name">A valid namespace name (<see cref="Names.Namespace"/>).</param>
/// <param name="Description">What it is for, or null.</param>
public sealed record NewNamespace(string Name, string? Description = null)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IEventStore.AppendAsync"/>.</summary>
/// <param name="Namespace">The namespace (must exist).</param>
/// <param name="Events">The events, in order.</param>
public sealed record AppendEventsParams(string Namespace, IReadOnlyList<NewEvent> Events)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IEventStore.ReadAsync"/>.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="After">Read events after this cursor.</param>
/// <param name="Limit">Most events, 1–10,000.</param>
public sealed record ReadEventsParams(string Namespace, LogCursor After, int Limit)
{
    /// <summary>Also report, in <see cref="EventPage.HeldBack"/>, whether committed events after a short page still wait
    /// behind the read horizon (for a reader that follows the log and must look again by itself).</summary>
    public bool ReportHeldBack { get; init; }
}

/// <summary>Params of <see cref="IEventStore.ReadRangeAsync"/>.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="FromPosition">First position (inclusive), or null.</param>
/// <param name="ToPosition">Last position (inclusive), or null.</param>
/// <param name="Limit">Most events, 1–10,000.</param>
public sealed record ReadRangeParams(string Namespace, long? FromPosition, long? ToPosition, int Limit)
{
    /// <summary>Only events appended at or after this time.</summary>
    public DateTimeOffset? FromTime { get; init; }
    /// <summary>Only events appended before this time.</summary>
    public DateTimeOffset? ToTime { get; init; }
}

/// <summary>Params of <see cref="IEventStore.DispatchAsync"/>.</summary>
/// <param name="MaxSubscriptions">Most subscriptions in one call.</param>
/// <param name="MaxEvents">Most events read per subscription in one call.</param>
public sealed record DispatchParams(int MaxSubscriptions, int MaxEvents)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IEventStore.ReleaseDeliveriesAsync"/>.</summary>
/// <param name="Owners">The delivery links (<see cref="DeliveryOwner"/>) to look at.</param>
public sealed record ReleaseDeliveriesParams(IReadOnlyList<string> Owners)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>What a dispatch did.</summary>
/// <param name="Subscriptions">Subscriptions looked at.</param>
/// <param name="EventsRead">Events read over all of them.</param>
/// <param name="Deliveries">Delivery tasks inserted.</param>
/// <param name="Full">True when some subscription had more to read than <see cref="DispatchParams.MaxEvents"/>, or when
/// <see cref="DispatchParams.MaxSubscriptions"/> subscriptions had something to read (others may wait): dispatch again.</param>
public sealed record DispatchResult(int Subscriptions, int EventsRead, int Deliveries, bool Full)
{
    /// <summary>Delivery tasks inserted, by subscription id.</summary>
    public IReadOnlyDictionary<long, int> DeliveriesBySubscription { get; init; } = new Dictionary<long, int>();

    /// <summary>True when some subscription has committed events after its cursor that the read horizon still held back
    /// (on PostgreSQL: an older transaction was still open when the pass began). Nothing will announce the moment that
    /// transaction ends, so the dispatcher looks again shortly instead of waiting for the next emit or its interval.</summary>
    public bool HeldBack { get; init; }
}

/// <summary>An event a subscription gave up on.</summary>
public sealed record NewDeadLetter
{
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The subscription's name.</summary>
    public required string Subscription { get; init; }
    /// <summary>The event's position.</summary>
    public required long Position { get; init; }
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }
    /// <summary>The delivery task.</summary>
    public long? TaskId { get; init; }
    /// <summary>Deliveries made.</summary>
    public int Deliveries { get; init; }
    /// <summary>Why (the last error).</summary>
    public required string Reason { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A stored dead letter of a namespace.</summary>
public sealed record EventDeadLetter
{
    /// <summary>Its id.</summary>
    public required long Id { get; init; }
    /// <summary>The namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>The subscription's name.</summary>
    public required string Subscription { get; init; }
    /// <summary>The event's position.</summary>
    public required long Position { get; init; }
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }
    /// <summary>The delivery task, or null.</summary>
    public long? TaskId { get; init; }
    /// <summary>Deliveries made.</summary>
    public int Deliveries { get; init; }
    /// <summary>Why.</summary>
    public required string Reason { get; init; }
    /// <summary>When.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Params of <see cref="IEventStore.MaintainAsync"/>.</summary>
/// <param name="RetainFor">Keep events this long.</param>
/// <param name="PartitionsAhead">Days of partitions to make ahead (PostgreSQL).</param>
public sealed record LogMaintenanceParams(TimeSpan RetainFor, int PartitionsAhead = 3)
{
    /// <summary>Most events one SQLite delete removes.</summary>
    public int BatchSize { get; init; } = 5000;
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}
