using Nexus.Events;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/namespaces/{ns}/subscriptions</c>: durable subscriptions — create, list, get, delete, move the
/// cursor, replay a range.</summary>
internal static class SubscriptionEndpoints
{
    public static void MapSubscriptionEndpoints(this RouteGroupBuilder api)
    {
        var subs = api.MapGroup("/namespaces/{ns}/subscriptions").WithTags("Subscriptions");
        subs.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List a namespace's subscriptions").Produces<IReadOnlyList<SubscriptionResponse>>().ProducesCommonProblems(400, 404);
        subs.MapPost("", CreateAsync).Require(Right.Manage)
            .WithSummary("Create a subscription: a pattern, an optional filter, a start, and an action (run a plugin, or be read by consumers)")
            .Accepts<CreateSubscriptionRequest>("application/json").Produces<SubscriptionResponse>(StatusCodes.Status201Created).ProducesCommonProblems(400, 404, 409, 413, 415);
        subs.MapGet("/{name}", GetAsync).Require(Right.Read)
            .WithSummary("Get one subscription").Produces<SubscriptionResponse>().ProducesCommonProblems(400, 404);
        subs.MapDelete("/{name}", DeleteAsync).Require(Right.Manage)
            .WithSummary("Delete a subscription (deliveries already made stay)").Produces(StatusCodes.Status204NoContent).ProducesCommonProblems(400, 404);
        subs.MapPost("/{name}/cursor", MoveAsync).Require(Right.Manage)
            .WithSummary("Move a subscription's cursor to a start (all, new, a position, a time); events after it are delivered (again)")
            .Accepts<SubscriptionStartRequest>("application/json").Produces<SubscriptionResponse>().ProducesCommonProblems(400, 404, 413, 415);
        subs.MapPost("/{name}/replay", ReplayAsync).Require(Right.Manage)
            .WithSummary("Deliver a range of events (positions or times) to this subscription again, as new deliveries")
            .Accepts<ReplayEventsRequest>("application/json").Produces<ReplayResponse>().ProducesCommonProblems(400, 404, 413, 415);
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusEvents events, TimeProvider time, string ns)
    {
        var name = EventMapping.Namespace(http, ns);
        var list = new List<SubscriptionResponse>();
        foreach (var sub in await events.ListSubscriptionsAsync(name, http.RequestAborted))
        {
            list.Add(EventMapping.Response(sub, await events.LagAsync(sub, http.RequestAborted), time.GetUtcNow()));
        }
        return Results.Ok(list);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, INexusEvents events, string ns)
    {
        var name = EventMapping.Namespace(http, ns);
        var body = await RequestJson.ReadAsync<CreateSubscriptionRequest>(http.Request);
        var action = body!.Action ?? SubscriptionActions.Plugin;
        if (action is not (SubscriptionActions.Plugin or SubscriptionActions.Consumer or SubscriptionActions.Workflow))
        {
            throw ApiProblemException.Invalid("action", "must be plugin, consumer or workflow (handlers are registered in code)");
        }
        var request = new SubscriptionRequest(name, body.Name ?? throw ApiProblemException.Invalid("name", "is required"),
            body.Pattern ?? throw ApiProblemException.Invalid("pattern", "is required"))
        {
            Filter = EventMapping.Json(body.Filter, "filter"),
            Action = action,
            Target = body.Target,
            ArgsTemplate = EventMapping.Json(body.ArgsTemplate, "argsTemplate"),
            Queue = body.Queue,
            MaxDeliveries = body.MaxDeliveries ?? 5,
            OrderedByKey = body.OrderedByKey ?? false,
            Start = EventMapping.Start(body.Start, "start"),
        };
        // Plugin deliveries are tasks in a queue: the caller must be allowed that queue as for a submit.
        var caller = Caller.From(http.User);
        if (action is SubscriptionActions.Plugin or SubscriptionActions.Workflow)
        {
            if (body.Queue is not null) caller.EnsureQueue(body.Queue, "queue");
            else if (caller.IsLimited) throw ApiProblemException.Invalid("queue", "is required, because you are limited to some queues");
        }
        var made = await events.SubscribeAsync(request, http.RequestAborted);
        return Results.Created($"/api/v1/namespaces/{name}/subscriptions/{made.Name}", EventMapping.Response(made));
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusEvents events, TimeProvider time, string ns, string name)
    {
        var sub = await LoadAsync(http, events, ns, name);
        return Results.Ok(EventMapping.Response(sub, await events.LagAsync(sub, http.RequestAborted), time.GetUtcNow()));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await LoadAsync(http, events, ns, name);
        await events.UnsubscribeAsync(sub.Namespace, sub.Name, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> MoveAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await LoadAsync(http, events, ns, name);
        var body = await RequestJson.ReadAsync<SubscriptionStartRequest>(http.Request);
        var moved = await events.MoveCursorAsync(sub.Namespace, sub.Name, EventMapping.Start(body, "body"), http.RequestAborted)
            ?? throw NotFound(sub.Namespace, sub.Name);
        return Results.Ok(EventMapping.Response(moved));
    }

    private static async Task<IResult> ReplayAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var sub = await LoadAsync(http, events, ns, name);
        var body = await RequestJson.ReadAsync<ReplayEventsRequest>(http.Request);
        var result = await events.ReplayAsync(new ReplayRequest(sub.Namespace, sub.Name)
        {
            FromPosition = body!.FromPosition,
            ToPosition = body.ToPosition,
            FromTime = body.FromTime,
            ToTime = body.ToTime,
            Max = body.Max ?? 1000,
            ReplayId = body.ReplayId,
        }, http.RequestAborted);
        return Results.Ok(new ReplayResponse(result.ReplayId, result.Events, result.Deliveries));
    }

    /// <summary>The subscription of a route, in a namespace the caller may use, or 404.</summary>
    public static async Task<SubscriptionRecord> LoadAsync(HttpContext http, INexusEvents events, string ns, string name)
    {
        var space = EventMapping.Namespace(http, ns);
        if (!Names.IsSubscription(name)) throw ApiProblemException.Invalid("name", $"'{QueryValues.Shorten(name)}' is not a valid subscription name");
        return await events.GetSubscriptionAsync(space, name, http.RequestAborted) ?? throw NotFound(space, name);
    }

    private static ApiProblemException NotFound(string ns, string name) =>
        new(404, "subscription-not-found", "Not found", $"Namespace '{ns}' has no subscription '{QueryValues.Shorten(name)}'.");
}
