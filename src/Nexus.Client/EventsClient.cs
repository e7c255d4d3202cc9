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
    public Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/namespaces", ClientJson.Default.IReadOnlyListNamespaceInfo, cancellationToken);

    /// <summary>Creates a namespace (or returns the existing one).</summary>
    public Task<NamespaceInfo> CreateNamespaceAsync(string name, string? description = null, CancellationToken cancellationToken = default) =>
        _http.PostAsync("api/v1/namespaces", NexusHttp.Json(new NamespaceBody(name, description), ClientJson.Default.NamespaceBody), ClientJson.Default.NamespaceInfo, cancellationToken);

    /// <summary>Emits events in one transaction; results in order.</summary>
    public async Task<IReadOnlyList<EmittedEvent>> EmitAsync(string @namespace, IReadOnlyList<EventToEmit> events, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Ns(@namespace) + "/events", NexusHttp.Json(new EmitBody(events), ClientJson.Default.EmitBody), ClientJson.Default.EmitAnswer, cancellationToken)).Events;

    /// <summary>Reads the log after a cursor (null: from the start), optionally only topics matching a pattern.</summary>
    public Task<EventPage> ReadAsync(string @namespace, string? after = null, int? limit = null, string? pattern = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString(Ns(@namespace) + "/events").Add("after", after).Add("limit", limit).Add("pattern", pattern).ToString(), ClientJson.Default.EventPage, cancellationToken);

    /// <summary>A namespace's subscriptions.</summary>
    public Task<IReadOnlyList<SubscriptionInfo>> ListSubscriptionsAsync(string @namespace, CancellationToken cancellationToken = default) =>
        _http.GetAsync(Ns(@namespace) + "/subscriptions", ClientJson.Default.IReadOnlyListSubscriptionInfo, cancellationToken);

    /// <summary>One subscription.</summary>
    public Task<SubscriptionInfo> GetSubscriptionAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync(Sub(@namespace, name), ClientJson.Default.SubscriptionInfo, cancellationToken);

    /// <summary>Creates a subscription.</summary>
    public Task<SubscriptionInfo> SubscribeAsync(string @namespace, SubscriptionDefinition subscription, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Ns(@namespace) + "/subscriptions", NexusHttp.Json(subscription, ClientJson.Default.SubscriptionDefinition), ClientJson.Default.SubscriptionInfo, cancellationToken);

    /// <summary>Deletes a subscription.</summary>
    public Task UnsubscribeAsync(string @namespace, string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, Sub(@namespace, name), cancellationToken);

    /// <summary>Moves a subscription's cursor; returns the subscription as it is now.</summary>
    public Task<SubscriptionInfo> MoveCursorAsync(string @namespace, string name, SubscriptionStart to, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Sub(@namespace, name) + "/cursor", NexusHttp.Json(to, ClientJson.Default.SubscriptionStart), ClientJson.Default.SubscriptionInfo, cancellationToken);

    /// <summary>Delivers a range again to one subscription.</summary>
    public Task<ReplayResult> ReplayAsync(string @namespace, string name, ReplayRange range, CancellationToken cancellationToken = default) =>
        _http.PostAsync(Sub(@namespace, name) + "/replay", NexusHttp.Json(range, ClientJson.Default.ReplayRange), ClientJson.Default.ReplayResult, cancellationToken);

    /// <summary>Receives deliveries of a consumer subscription.</summary>
    public async Task<IReadOnlyList<EventDelivery>> ReceiveAsync(string @namespace, string name, int max = 10, TimeSpan? visibility = null, string? consumer = null, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/receive",
            NexusHttp.Json(new ReceiveBody(consumer, max, visibility is { } v ? (long)v.TotalMilliseconds : null), ClientJson.Default.ReceiveBody),
            ClientJson.Default.ReceiveAnswer, cancellationToken)).Deliveries;

    /// <summary>Acknowledges deliveries; per delivery whether it was accepted.</summary>
    public async Task<IReadOnlyList<bool>> AckAsync(string @namespace, string name, IReadOnlyList<EventDelivery> deliveries, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/ack",
            NexusHttp.Json(new DeliveriesBody([.. deliveries.Select(d => new DeliveryRefBody(d.Id, d.LeaseToken))], null), ClientJson.Default.DeliveriesBody),
            ClientJson.Default.DeliveriesAnswer, cancellationToken)).Accepted;

    /// <summary>Gives a delivery back (again after <paramref name="delay"/>, or a dead letter after its last delivery).</summary>
    public async Task<bool> NackAsync(string @namespace, string name, EventDelivery delivery, TimeSpan? delay = null, string? reason = null, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/nack",
            NexusHttp.Json(new NackBody(delivery.Id, delivery.LeaseToken, delay is { } d ? (long)d.TotalMilliseconds : null, reason), ClientJson.Default.NackBody),
            ClientJson.Default.DeliveriesAnswer, cancellationToken)).Accepted[0];

    /// <summary>Extends deliveries' visibility timeout.</summary>
    public async Task<IReadOnlyList<bool>> ExtendAsync(string @namespace, string name, IReadOnlyList<EventDelivery> deliveries, TimeSpan visibility, CancellationToken cancellationToken = default) =>
        (await _http.PostAsync(Sub(@namespace, name) + "/extend",
            NexusHttp.Json(new DeliveriesBody([.. deliveries.Select(d => new DeliveryRefBody(d.Id, d.LeaseToken))], (long)visibility.TotalMilliseconds), ClientJson.Default.DeliveriesBody),
            ClientJson.Default.DeliveriesAnswer, cancellationToken)).Accepted;

    /// <summary>A namespace's dead letters, newest first.</summary>
    public Task<IReadOnlyList<EventDeadLetter>> ListDeadLettersAsync(string @namespace, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString(Ns(@namespace) + "/dead-letters").Add("limit", limit).ToString(), ClientJson.Default.IReadOnlyListEventDeadLetter, cancellationToken);
}
