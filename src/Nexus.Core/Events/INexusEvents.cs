using Nexus.Storage;

namespace Nexus.Events;

/// <summary>The in-process way to use the event log: namespaces, emit, read, subscriptions, replay, external
/// consumers and dead letters. Resolve it from dependency injection after <c>AddNexus</c>. Every method validates its
/// input and throws <see cref="TaskValidationException"/> naming the field at fault.</summary>
/// <example><code>
/// await events.EmitAsync("shop", EventRequest.Of("orders.created", new { id = 42, total = 99.5 }) with { Key = "order-42" });
/// await events.SubscribeAsync(new SubscriptionRequest("shop", "invoice-on-order", "orders.created")
///     { Target = "billing.invoice", ArgsTemplate = """{"orderId":"{{payload.id}}"}""" });
/// </code></example>
public interface INexusEvents
{
    /// <summary>Creates a namespace (or returns the existing one).</summary>
    Task<NamespaceRecord> CreateNamespaceAsync(string name, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>Every namespace.</summary>
    Task<IReadOnlyList<NamespaceRecord>> ListNamespacesAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends one event.</summary>
    Task<AppendResult> EmitAsync(string @namespace, EventRequest e, CancellationToken cancellationToken = default);

    /// <summary>Appends many events in one transaction (all validated first); results in order.</summary>
    Task<IReadOnlyList<AppendResult>> EmitManyAsync(string @namespace, IReadOnlyList<EventRequest> events, CancellationToken cancellationToken = default);

    /// <summary>Validates requests into rows without storing them (transactional emits in drivers use it).</summary>
    IReadOnlyList<NewEvent> Prepare(IReadOnlyList<EventRequest> events);

    /// <summary>Reads events after a cursor in log order (never past an event that could still commit before them).</summary>
    Task<EventPage> ReadAsync(string @namespace, LogCursor after, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Creates a subscription.</summary>
    Task<SubscriptionRecord> SubscribeAsync(SubscriptionRequest subscription, CancellationToken cancellationToken = default);

    /// <summary>One subscription, or null.</summary>
    Task<SubscriptionRecord?> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>The subscriptions of a namespace.</summary>
    Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription; deliveries already made stay. False when there was none.</summary>
    Task<bool> UnsubscribeAsync(string @namespace, string name, CancellationToken cancellationToken = default);

    /// <summary>Moves a subscription's cursor to a start (all, new, a position, a time); returns it moved, or null when
    /// there is no such subscription.</summary>
    Task<SubscriptionRecord?> MoveCursorAsync(string @namespace, string name, SubscriptionStart to, CancellationToken cancellationToken = default);

    /// <summary>Delivers the events of a range to one subscription again, as new deliveries (its cursor stays).</summary>
    Task<ReplayResult> ReplayAsync(ReplayRequest replay, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="max"/> deliveries of a consumer subscription, highest priority first, each
    /// invisible to the group's other consumers for <paramref name="visibility"/> (then delivered again).</summary>
    Task<IReadOnlyList<ConsumerDelivery>> ReceiveAsync(string @namespace, string subscription, string consumer, int max, TimeSpan visibility, CancellationToken cancellationToken = default);

    /// <summary>Acknowledges deliveries (done); false for each whose visibility lapsed or that is not this subscription's.</summary>
    Task<IReadOnlyList<bool>> AckAsync(string @namespace, string subscription, IReadOnlyList<LeaseRef> deliveries, CancellationToken cancellationToken = default);

    /// <summary>Gives a delivery back: delivered again after <paramref name="delay"/>, or after its last delivery put in
    /// the namespace's dead letters with <paramref name="reason"/>. False when its visibility lapsed.</summary>
    Task<bool> NackAsync(string @namespace, string subscription, LeaseRef delivery, TimeSpan delay, string? reason, CancellationToken cancellationToken = default);

    /// <summary>Extends deliveries' visibility timeout; false for each whose visibility already lapsed.</summary>
    Task<IReadOnlyList<bool>> ExtendAsync(string @namespace, string subscription, IReadOnlyList<LeaseRef> deliveries, TimeSpan visibility, CancellationToken cancellationToken = default);

    /// <summary>A namespace's dead letters, newest first.</summary>
    Task<IReadOnlyList<EventDeadLetter>> ListDeadLettersAsync(string @namespace, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>How far a subscription is behind the log: the events of its namespace after its cursor (not yet
    /// dispatched; counted up to 100,000) and the age of the oldest of them.</summary>
    Task<SubscriptionLag> LagAsync(SubscriptionRecord subscription, CancellationToken cancellationToken = default);

    /// <summary>Runs the dispatcher once now (normally it runs on its own); returns what it did.</summary>
    Task<DispatchResult> DispatchAsync(CancellationToken cancellationToken = default);
}

/// <summary>One delivery to an external consumer.</summary>
/// <param name="Id">The delivery's id (its task).</param>
/// <param name="LeaseToken">The token to ack, nack or extend with.</param>
/// <param name="Delivery">Which delivery of this event this is, 1-based.</param>
/// <param name="MaxDeliveries">Deliveries allowed.</param>
/// <param name="VisibleAgainAt">When it is delivered again unless acked or extended.</param>
/// <param name="EventJson">The event document (<see cref="EventDocument"/>).</param>
public sealed record ConsumerDelivery(long Id, Guid LeaseToken, int Delivery, int MaxDeliveries, DateTimeOffset? VisibleAgainAt, string EventJson);
