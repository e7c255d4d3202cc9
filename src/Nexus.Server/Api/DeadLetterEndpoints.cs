using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Server.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/dead-letters</c>: tasks that failed for good — list, retry one, retry or purge many.</summary>
internal static class DeadLetterEndpoints
{
    public static void MapDeadLetterEndpoints(this RouteGroupBuilder api)
    {
        var dead = api.MapGroup("/dead-letters").WithTags("Dead letters");
        dead.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List dead tasks, newest first").Produces<TaskListResponse>().ProducesCommonProblems(400);
        dead.MapPost("/{id}/retry", RetryOneAsync).Require(Right.Manage)
            .WithSummary("Retry one dead task").Produces<TaskActionResponse>().ProducesCommonProblems(400, 404, 409);
        dead.MapPost("/retry", RetryManyAsync).Require(Right.Manage)
            .WithSummary("Retry the dead tasks matching a filter (oldest first, up to max)").Accepts<DeadLetterFilterRequest>("application/json")
            .Produces<BulkResponse>().ProducesCommonProblems(400, 413, 415);
        dead.MapPost("/purge", PurgeAsync).Require(Right.Manage)
            .WithSummary("Delete the dead tasks matching a filter (oldest first, up to max)").Accepts<DeadLetterFilterRequest>("application/json")
            .Produces<BulkResponse>().ProducesCommonProblems(400, 413, 415);
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, INexusTasks tasks,
        [FromQuery] string? plugin, [FromQuery] string? queue, [FromQuery] string? tag,
        [FromQuery] string? createdFrom, [FromQuery] string? createdBefore, [FromQuery] string? before, [FromQuery] string? limit)
    {
        var query = new TaskQuery
        {
            State = TaskState.Dead,
            Plugin = QueryValues.Text(plugin, "plugin", 128),
            Queue = Caller.From(http.User).ScopeQueue(QueryValues.Queue(queue)),
            Tag = QueryValues.Text(tag, "tag", 64),
            CreatedFrom = QueryValues.Time(createdFrom, "createdFrom"),
            CreatedBefore = QueryValues.Time(createdBefore, "createdBefore"),
            BeforeId = QueryValues.Cursor(before),
            Limit = QueryValues.Int(limit, "limit", 1, 1000) ?? 50,
        };
        return Results.Ok(await TaskEndpoints.Page(tasks, query, http.RequestAborted));
    }

    private static async Task<IResult> RetryOneAsync(HttpContext http, INexusTasks tasks, string id)
    {
        var task = await TaskEndpoints.LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        if (task.State != TaskState.Dead) throw ApiProblemException.Conflict("not-dead", $"Task {task.Id} is {task.State.ToName()}, not dead.");
        return await TaskEndpoints.RetryOneAsync(http, tasks, task);
    }

    private static async Task<IResult> RetryManyAsync(HttpContext http, INexusTasks tasks, IOptions<NexusServerOptions> options)
    {
        var (filter, max) = await ReadFilterAsync(http, options.Value.MaxBulk);
        var count = await tasks.RetryManyAsync(filter, max, http.RequestAborted);
        return Results.Ok(new BulkResponse(count, count == max));
    }

    private static async Task<IResult> PurgeAsync(HttpContext http, INexusTasks tasks, IOptions<NexusServerOptions> options)
    {
        var (filter, max) = await ReadFilterAsync(http, options.Value.MaxBulk);
        var count = await tasks.DeleteManyAsync(filter, max, http.RequestAborted);
        return Results.Ok(new BulkResponse(count, count == max));
    }

    private static async Task<(TaskFilter Filter, int Max)> ReadFilterAsync(HttpContext http, int maxBulk)
    {
        var body = await RequestJson.ReadAsync<DeadLetterFilterRequest>(http.Request, allowEmpty: true) ?? new DeadLetterFilterRequest();
        var max = body.Max ?? maxBulk;
        if (max < 1 || max > maxBulk) throw ApiProblemException.Invalid("max", $"must be between 1 and {maxBulk} (was {max})");
        var filter = new TaskFilter
        {
            State = TaskState.Dead,
            Plugin = QueryValues.Text(body.Plugin, "plugin", 128),
            Queue = Caller.From(http.User).ScopeQueue(QueryValues.Queue(body.Queue)),
            Tag = QueryValues.Text(body.Tag, "tag", 64),
            CreatedFrom = body.CreatedFrom,
            CreatedBefore = body.CreatedBefore,
        };
        return (filter, max);
    }
}
