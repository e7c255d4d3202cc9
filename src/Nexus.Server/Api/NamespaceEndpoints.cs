using Nexus.Events;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/namespaces</c>: the event namespaces (each with its own log, subscriptions and dead letters).
/// A caller limited to namespaces sees and makes only its own.</summary>
internal static class NamespaceEndpoints
{
    public static void MapNamespaceEndpoints(this RouteGroupBuilder api)
    {
        var ns = api.MapGroup("/namespaces").WithTags("Events");
        ns.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List the namespaces you may use").Produces<IReadOnlyList<NamespaceResponse>>().ProducesCommonProblems();
        ns.MapPost("", CreateAsync).Require(Right.Manage)
            .WithSummary("Create a namespace (or get the existing one)").Accepts<CreateNamespaceRequest>("application/json")
            .Produces<NamespaceResponse>().Produces<NamespaceResponse>(StatusCodes.Status201Created).ProducesCommonProblems(400, 413, 415);
        ns.MapGet("/{ns}", GetAsync).Require(Right.Read)
            .WithSummary("Get one namespace").Produces<NamespaceResponse>().ProducesCommonProblems(400, 404);
        ns.MapGet("/{ns}/dead-letters", DeadLettersAsync).Require(Right.Read)
            .WithSummary("The namespace's dead letters: events a subscription gave up on, newest first")
            .Produces<IReadOnlyList<EventDeadLetterResponse>>().ProducesCommonProblems(400, 404);
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusEvents events)
    {
        var caller = Caller.From(http.User);
        var all = await events.ListNamespacesAsync(http.RequestAborted);
        return Results.Ok(all.Where(n => caller.CanUseNamespace(n.Name)).Select(Response).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, INexusEvents events)
    {
        var body = await RequestJson.ReadAsync<CreateNamespaceRequest>(http.Request);
        if (!Names.IsNamespace(body!.Name)) throw ApiProblemException.Invalid("name", $"'{QueryValues.Shorten(body.Name ?? "")}' is not a valid namespace name: use 1–64 lower-case letters, digits, '_' or '-', starting with a letter or digit");
        var caller = Caller.From(http.User);
        if (!caller.CanUseNamespace(body.Name!))
        {
            throw new ApiProblemException(403, "namespace-forbidden", "Namespace not allowed", $"name: '{body.Name}' is not one of the namespaces you may use.", "name");
        }
        var existed = (await events.ListNamespacesAsync(http.RequestAborted)).Any(n => n.Name == body.Name);
        var made = await events.CreateNamespaceAsync(body.Name!, body.Description, http.RequestAborted);
        return existed ? Results.Ok(Response(made)) : Results.Created($"/api/v1/namespaces/{made.Name}", Response(made));
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusEvents events, string ns)
    {
        var name = EventMapping.Namespace(http, ns);
        var found = (await events.ListNamespacesAsync(http.RequestAborted)).FirstOrDefault(n => n.Name == name)
            ?? throw new ApiProblemException(404, "namespace-not-found", "Not found", $"namespace: there is no namespace '{name}'.", "namespace");
        return Results.Ok(Response(found));
    }

    private static async Task<IResult> DeadLettersAsync(HttpContext http, INexusEvents events, string ns, string? limit)
    {
        var name = EventMapping.Namespace(http, ns);
        var letters = await events.ListDeadLettersAsync(name, QueryValues.Int(limit, "limit", 1, 1000) ?? 50, http.RequestAborted);
        return Results.Ok(letters.Select(l => new EventDeadLetterResponse(l.Id, l.Subscription, l.Position, l.Topic, l.TaskId, l.Deliveries, l.Reason, l.CreatedAt)).ToList());
    }

    internal static NamespaceResponse Response(NamespaceRecord n) => new(n.Name, n.Description, n.CreatedAt);
}
