using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/queues</c>: settings and counts, pause and resume, concurrency and backlog limits.</summary>
internal static class QueueEndpoints
{
    public static void MapQueueEndpoints(this RouteGroupBuilder api)
    {
        var queues = api.MapGroup("/queues").WithTags("Queues");
        queues.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List queues with their settings and task counts by state").Produces<IReadOnlyList<QueueResponse>>().ProducesCommonProblems();
        queues.MapGet("/{name}", GetAsync).Require(Right.Read)
            .WithSummary("Get one queue").Produces<QueueResponse>().ProducesCommonProblems(400);
        queues.MapPost("/{name}/pause", (HttpContext http, INexusStore store, string name) => SetPausedAsync(http, store, name, true)).Require(Right.Manage)
            .WithSummary("Pause claiming from a queue (submits still go in)").Produces<QueueResponse>().ProducesCommonProblems(400);
        queues.MapPost("/{name}/resume", (HttpContext http, INexusStore store, string name) => SetPausedAsync(http, store, name, false)).Require(Right.Manage)
            .WithSummary("Resume claiming from a queue").Produces<QueueResponse>().ProducesCommonProblems(400);
        queues.MapMethods("/{name}", ["PATCH"], ConfigureAsync).Require(Right.Manage)
            .WithSummary("Change a queue's concurrency and backlog limits (fields left out keep their value; null removes a limit)")
            .Accepts<QueueLimitsRequest>("application/json").Produces<QueueResponse>().ProducesCommonProblems(400, 413, 415);
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusStore store)
    {
        var caller = Caller.From(http.User);
        var settings = await store.Queues.ListAsync(http.RequestAborted);
        var counts = (await store.Tasks.CountAsync(http.RequestAborted)).ToDictionary(c => c.Queue, StringComparer.Ordinal);
        var list = settings.Where(q => caller.CanUse(q.Name)).Select(q => Response(q, counts.GetValueOrDefault(q.Name))).ToList();
        return Results.Ok(list);
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusStore store, string name) =>
        Results.Ok(await LoadAsync(http, store, Checked(http, name)));

    private static async Task<IResult> SetPausedAsync(HttpContext http, INexusStore store, string name, bool paused)
    {
        var queue = Checked(http, name);
        await store.Queues.SetPausedAsync(queue, paused, http.RequestAborted);
        return Results.Ok(await LoadAsync(http, store, queue));
    }

    private static async Task<IResult> ConfigureAsync(HttpContext http, INexusStore store, string name)
    {
        var queue = Checked(http, name);
        var body = await RequestJson.ReadAsync<JsonObject>(http.Request);
        QueueLimitsRequest limits;
        try
        {
            limits = body.Deserialize<QueueLimitsRequest>(RequestJson.Options)!;
        }
        catch (JsonException ex)
        {
            throw RequestJson.Describe(ex);
        }
        bool Has(string field) => body!.Any(p => p.Key.Equals(field, StringComparison.OrdinalIgnoreCase));
        if (limits.MaxConcurrency < 0) throw ApiProblemException.Invalid("maxConcurrency", "must not be negative");
        if (limits.MaxBacklog < 0) throw ApiProblemException.Invalid("maxBacklog", "must not be negative");
        var current = await store.Queues.GetAsync(queue, http.RequestAborted);
        await store.Queues.ConfigureAsync(queue,
            Has("maxConcurrency") ? limits.MaxConcurrency : current.MaxConcurrency,
            Has("maxBacklog") ? limits.MaxBacklog : current.MaxBacklog,
            http.RequestAborted);
        return Results.Ok(await LoadAsync(http, store, queue));
    }

    private static string Checked(HttpContext http, string name)
    {
        var queue = QueryValues.Queue(name, "name")!;
        Caller.From(http.User).EnsureQueue(queue, "name");
        return queue;
    }

    private static async Task<QueueResponse> LoadAsync(HttpContext http, INexusStore store, string name)
    {
        var settings = await store.Queues.GetAsync(name, http.RequestAborted);
        var counts = (await store.Tasks.CountAsync(http.RequestAborted)).FirstOrDefault(c => c.Queue == name);
        return Response(settings, counts);
    }

    private static QueueResponse Response(QueueInfo q, QueueCounts? counts)
    {
        var byState = counts?.Counts.ToDictionary(kv => kv.Key.ToName(), kv => kv.Value, StringComparer.Ordinal) ?? [];
        return new QueueResponse(q.Name, q.Paused, q.MaxConcurrency, q.MaxBacklog, byState, byState.Values.Sum());
    }
}
