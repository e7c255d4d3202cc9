using Nexus.Server.Api.Mapping;
using Nexus.Events;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Api;

/// <summary>External consumers of a <c>consumer</c> subscription (a group: consumers compete for its deliveries):
/// receive a batch with a visibility timeout, then ack, nack or extend each delivery by its lease token.</summary>
internal static class ConsumerEndpoints
{
    private static readonly TimeSpan DefaultVisibility = TimeSpan.FromSeconds(30);

    public static void MapConsumerEndpoints(this RouteGroupBuilder api)
    {
        var subs = api.MapGroup("/namespaces/{ns}/subscriptions/{name}").WithTags("Subscriptions");
        subs.MapPost("/receive", ReceiveAsync).Require(Right.Work)
            .WithSummary("Receive up to max deliveries (highest priority first), invisible to the group's other consumers for the visibility timeout")
            .Accepts<ReceiveRequest>("application/json").Produces<ReceiveResponse>().ProducesCommonProblems(400, 404, 413, 415);
        subs.MapPost("/ack", AckAsync).Require(Right.Work)
            .WithSummary("Acknowledge deliveries (done)").Accepts<DeliveriesRequest>("application/json")
            .Produces<DeliveriesResponse>().ProducesCommonProblems(400, 404, 413, 415);
        subs.MapPost("/nack", NackAsync).Require(Right.Work)
            .WithSummary("Give a delivery back: delivered again after the delay, or after its last delivery put in the namespace's dead letters")
            .Accepts<NackRequest>("application/json").Produces<DeliveriesResponse>().ProducesCommonProblems(400, 404, 413, 415);
        subs.MapPost("/extend", ExtendAsync).Require(Right.Work)
            .WithSummary("Extend deliveries' visibility timeout").Accepts<DeliveriesRequest>("application/json")
            .Produces<DeliveriesResponse>().ProducesCommonProblems(400, 404, 413, 415);
    }

    private static async Task<IResult> ReceiveAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await SubscriptionEndpoints.LoadAsync(http, events, ns, name);
        var body = await RequestJson.ReadAsync<ReceiveRequest>(http.Request, allowEmpty: true) ?? new ReceiveRequest();
        var visibility = EventMapping.Milliseconds(body.VisibilityTimeoutMs, "visibilityTimeoutMs", DefaultVisibility, TimeSpan.FromSeconds(1), TimeSpan.FromHours(12));
        var deliveries = await events.ReceiveAsync(sub.Namespace, sub.Name, body.Consumer ?? Caller.From(http.User).Name, body.Max ?? 10, visibility, http.RequestAborted);
        return Results.Ok(new ReceiveResponse([.. deliveries.Select(d =>
            new DeliveryResponse(d.Id, d.LeaseToken, d.Delivery, d.MaxDeliveries, d.VisibleAgainAt, StoredJsonValue.Element(d.EventJson)))]));
    }

    private static async Task<IResult> AckAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await SubscriptionEndpoints.LoadAsync(http, events, ns, name);
        var body = await RequestJson.ReadAsync<DeliveriesRequest>(http.Request);
        var accepted = await events.AckAsync(sub.Namespace, sub.Name, Refs(body!.Deliveries), http.RequestAborted);
        return Results.Ok(new DeliveriesResponse(accepted));
    }

    private static async Task<IResult> NackAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await SubscriptionEndpoints.LoadAsync(http, events, ns, name);
        var body = await RequestJson.ReadAsync<NackRequest>(http.Request);
        var id = body!.Id ?? throw ApiProblemException.Invalid("id", "is required");
        var token = body.LeaseToken ?? throw ApiProblemException.Invalid("leaseToken", "is required");
        var delay = EventMapping.Milliseconds(body.DelayMs, "delayMs", TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromDays(1));
        var accepted = await events.NackAsync(sub.Namespace, sub.Name, new LeaseRef(id, token), delay, body.Reason, http.RequestAborted);
        return Results.Ok(new DeliveriesResponse([accepted]));
    }

    private static async Task<IResult> ExtendAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await SubscriptionEndpoints.LoadAsync(http, events, ns, name);
        var body = await RequestJson.ReadAsync<DeliveriesRequest>(http.Request);
        var visibility = EventMapping.Milliseconds(body!.VisibilityTimeoutMs, "visibilityTimeoutMs", DefaultVisibility, TimeSpan.FromSeconds(1), TimeSpan.FromHours(12));
        var extended = await events.ExtendAsync(sub.Namespace, sub.Name, Refs(body.Deliveries), visibility, http.RequestAborted);
        return Results.Ok(new DeliveriesResponse(extended));
    }

    private static List<LeaseRef> Refs(IReadOnlyList<DeliveryRef>? deliveries)
    {
        if (deliveries is not { Count: > 0 and <= 1000 }) throw ApiProblemException.Invalid("deliveries", "must hold 1–1000 deliveries");
        return [.. deliveries.Select((d, i) => new LeaseRef(
            d?.Id ?? throw ApiProblemException.Invalid($"deliveries[{i}].id", "is required"),
            d.LeaseToken ?? throw ApiProblemException.Invalid($"deliveries[{i}].leaseToken", "is required")))];
    }
}
