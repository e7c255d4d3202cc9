using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Nexus.Events;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/namespaces/{ns}/events</c>: emit one or many events, emit to a topic with the payload as the
/// body, and read the log after a cursor.</summary>
internal static class EventEndpoints
{
    public static void MapEventEndpoints(this RouteGroupBuilder api)
    {
        var ns = api.MapGroup("/namespaces/{ns}").WithTags("Events");
        ns.MapPost("/events", EmitAsync).Require(Right.Submit)
            .WithSummary("Emit one event ({\"topic\",\"payload\",…}) or many ({\"events\":[…]}) in one transaction")
            .Accepts<EmitEventsRequest>("application/json").Produces<EmitResponse>().ProducesCommonProblems(400, 404, 413, 415);
        ns.MapPost("/topics/{topic}", EmitToTopicAsync).Require(Right.Submit)
            .WithSummary("Emit one event to a topic; the body is the payload (key, priority and idempotencyKey as query parameters, or the Idempotency-Key header)")
            .Accepts<JsonElement>("application/json").Produces<EmittedEvent>().ProducesCommonProblems(400, 404, 413, 415);
        ns.MapGet("/events", ReadAsync).Require(Right.Read)
            .WithSummary("Read the log after a cursor, in order (optionally only topics matching a pattern)")
            .Produces<EventPageResponse>().ProducesCommonProblems(400, 404);
    }

    private static async Task<IResult> EmitAsync(HttpContext http, INexusEvents events, string ns)
    {
        var name = EventMapping.Namespace(http, ns);
        var node = await RequestJson.ReadAsync<JsonNode>(http.Request);
        if (node is not JsonObject) throw ApiProblemException.Invalid("body", "must be a JSON object: one event, or {\"events\":[…]}");
        var root = JsonSerializer.SerializeToElement(node);
        List<EventRequest> requests;
        try
        {
            if (root.TryGetProperty("events", out _))
            {
                var many = root.Deserialize<EmitEventsRequest>(RequestJson.Options)!;
                if (many.Events is not { Count: > 0 } list) throw ApiProblemException.Invalid("events", "must hold at least one event");
                requests = [.. list.Select((e, i) => EventMapping.Request(e, list.Count == 1 ? "" : $"events[{i}]."))];
            }
            else
            {
                requests = [EventMapping.Request(root.Deserialize<EmitEventRequest>(RequestJson.Options), "")];
            }
        }
        catch (JsonException ex)
        {
            throw RequestJson.Describe(ex);
        }
        var results = await events.EmitManyAsync(name, requests, http.RequestAborted);
        return Results.Ok(new EmitResponse([.. results.Select(r => new EmittedEvent(r.Position, r.Created))]));
    }

    private static async Task<IResult> EmitToTopicAsync(
        HttpContext http, INexusEvents events, string ns, string topic,
        [FromQuery] string? key, [FromQuery] string? priority, [FromQuery] string? idempotencyKey)
    {
        var name = EventMapping.Namespace(http, ns);
        var payload = await RequestJson.ReadAsync<JsonNode>(http.Request) ?? throw ApiProblemException.Invalid("body", "is the payload: any JSON value");
        var idem = idempotencyKey ?? http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        var result = await events.EmitAsync(name, new EventRequest(topic, payload.ToJsonString())
        {
            Key = key,
            Priority = EventPriorities.Parse(priority),
            IdempotencyKey = idem,
        }, http.RequestAborted);
        return Results.Ok(new EmittedEvent(result.Position, result.Created));
    }

    private static async Task<IResult> ReadAsync(HttpContext http, INexusEvents events, string ns, string? after, string? limit, string? pattern)
    {
        var name = EventMapping.Namespace(http, ns);
        var cursor = LogCursor.Start;
        if (after is not null && !LogCursor.TryParse(after, out cursor)) throw ApiProblemException.Invalid("after", "must be a cursor from a previous page (e.g. 0-42) or a position");
        TopicPattern? topics = null;
        if (pattern is not null) topics = TopicPattern.Parse(pattern, "pattern");
        var page = await events.ReadAsync(name, cursor, QueryValues.Int(limit, "limit", 1, 1000) ?? 100, http.RequestAborted);
        var shown = topics is null ? page.Events : [.. page.Events.Where(e => topics.Matches(e.Topic))];
        return Results.Ok(new EventPageResponse([.. shown.Select(EventMapping.Response)], page.Next.ToString()));
    }
}
