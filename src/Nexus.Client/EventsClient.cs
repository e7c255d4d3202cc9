using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/namespaces</c>: event namespaces, emit, read the log, subscriptions, replay, cursor moves,
/// external consumers and dead letters. Reached through <see cref="NexusClient.Events"/>.</summary>
public sealed class EventsClient
{
    private readonly NexusHttp _http;

    internal EventsClient(NexusHttp http) => _http = http;

    private static string Ns(string ns) => "api/v1/namespaces/" + QueryString.Segment(ns);

    private static string Sub(string ns, string name) => Ns(ns) + "/subscriptions/" + QueryString.Segment(name);

    /// <summary>The namespaces the caller may use.</summary>
    public Task<IReadOnlyList<NamespaceResponse>> ListNamespacesAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/namespaces", ClientJson.Default.IReadOnlyListNamespaceResponse, cancellationToken);

    /// <summary>Creates a namespace (or returns the existing one).</summary>
    public Task<NamespaceResponse> CreateNamespaceAsync(string name, string? description = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync("api/v1/namespaces", NexusHttp.Json(new CreateNamespaceRequest { Name = name, Description = description }, ClientJson.Default.CreateNamespaceRequest), ClientJson.Default.NamespaceResponse, cancellationToken);

    /// <summary>Emits events in one transaction; results in order.</summary>
    public async Task<IReadOnlyList<EmittedEvent>> EmitAsync(string @namespace, IReadOnlyList<EmitEventRequest> events, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Ns(@namespace) + "/events", NexusHttp.Json(new EmitEventsRequest { Events = events }, ClientJson.Default.EmitEventsRequest), ClientJson.Default.EmitResponse, cancellationToken)).Events;

    /// <summary>Reads the log after a cursor (null: from the start), optionally only topics matching a pattern.</summary>
    public Task<EventPageResponse> ReadAsync(string @namespace, string? after = null, int? limit = null, string? pattern = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString(Ns(@namespace) + "/events").Add("after", after).Add("limit", limit).Add("pattern", pattern).ToString(), ClientJson.Default.EventPageResponse, cancellationToken);

    /// <summary>A namespace's subscriptions.</summary>
    public Task<IReadOnlyList<SubscriptionResponse>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default) =>
        _http.GetAsync(Ns(@namespace) + "/subscriptions", ClientJson.Default.IReadOnlyListSubscriptionResponse, cancellationToken);

    /// <summary>One subscription.</summary>
    public Task<SubscriptionResponse> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync(Sub(@namespace, name), ClientJson.Default.SubscriptionResponse, cancellationToken);

    /// <summary>Creates a subscription.</summary>
    public Task<SubscriptionResponse> SubscribeAsync(string @namespace, CreateSubscriptionRequest subscription, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Ns(@namespace) + "/subscriptions", NexusHttp.Json(subscription, ClientJson.Default.CreateSubscriptionRequest), ClientJson.Default.SubscriptionResponse, cancellationToken);

    /// <summary>Deletes a subscription.</summary>
    public Task UnsubscribeAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, Sub(@namespace, name), cancellationToken);

    /// <summary>Moves a subscription's cursor; returns the subscription as it is now.</summary>
    public Task<SubscriptionResponse> MoveCursorAsync(string @namespace, string name, SubscriptionStartRequest to, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Sub(@namespace, name) + "/cursor", NexusHttp.Json(to, ClientJson.Default.SubscriptionStartRequest), ClientJson.Default.SubscriptionResponse, cancellationToken);

    /// <summary>Delivers a range again to one subscription.</summary>
    public Task<ReplayResponse> ReplayAsync(string @namespace, string name, ReplayEventsRequest range, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Sub(@namespace, name) + "/replay", NexusHttp.Json(range, ClientJson.Default.ReplayEventsRequest), ClientJson.Default.ReplayResponse, cancellationToken);

    /// <summary>Receives deliveries of a consumer subscription.</summary>
    public async Task<IReadOnlyList<DeliveryResponse>> ReceiveAsync(string @namespace, string name, int max = 10, TimeSpan? visibility = null, string? consumer = null, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/receive",
            NexusHttp.Json(new ReceiveRequest { Consumer = consumer, Max = max, VisibilityTimeoutMs = visibility is { } v ? (long)v.TotalMilliseconds : null }, ClientJson.Default.ReceiveRequest),
            ClientJson.Default.ReceiveResponse, cancellationToken)).Deliveries;

    /// <summary>Acknowledges deliveries; per delivery whether it was accepted.</summary>
    public async Task<IReadOnlyList<bool>> AckAsync(string @namespace, string name, IReadOnlyList<DeliveryResponse> deliveries, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/ack",
            NexusHttp.Json(new DeliveriesRequest { Deliveries = [.. deliveries.Select(d => new DeliveryRef(d.Id, d.LeaseToken))] }, ClientJson.Default.DeliveriesRequest),
            ClientJson.Default.DeliveriesResponse, cancellationToken)).Accepted;

    /// <summary>Gives a delivery back (again after <paramref name="delay"/>, or a dead letter after its last delivery).</summary>
    public async Task<bool> NackAsync(string @namespace, string name, DeliveryResponse delivery, TimeSpan? delay = null, string? reason = null, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/nack",
            NexusHttp.Json(new NackRequest { Id = delivery.Id, LeaseToken = delivery.LeaseToken, DelayMs = delay is { } d ? (long)d.TotalMilliseconds : null, Reason = reason }, ClientJson.Default.NackRequest),
            ClientJson.Default.DeliveriesResponse, cancellationToken)).Accepted[0];

    /// <summary>Extends deliveries' visibility timeout.</summary>
    public async Task<IReadOnlyList<bool>> ExtendAsync(string @namespace, string name, IReadOnlyList<DeliveryResponse> deliveries, TimeSpan visibility, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/extend",
            NexusHttp.Json(new DeliveriesRequest { Deliveries = [.. deliveries.Select(d => new DeliveryRef(d.Id, d.LeaseToken))], VisibilityTimeoutMs = (long)visibility.TotalMilliseconds }, ClientJson.Default.DeliveriesRequest),
            ClientJson.Default.DeliveriesResponse, cancellationToken)).Accepted;

    /// <summary>A namespace's dead letters, newest first.</summary>
    public Task<IReadOnlyList<EventDeadLetterResponse>> ListDeadLettersAsync(string @namespace, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString(Ns(@namespace) + "/dead-letters").Add("limit", limit).ToString(), ClientJson.Default.IReadOnlyListEventDeadLetterResponse, cancellationToken);
}
