using Nexus.Server.Api.Mapping;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Server.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/tasks</c>: submit, batch submit, get, list, cancel, retry, delete.</summary>
internal static class TaskEndpoints
{
    public static void MapTaskEndpoints(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapPost("", SubmitAsync).Require(Right.Submit)
            .WithSummary("Submit a task").Accepts<SubmitTaskRequest>("application/json")
            .Produces<SubmitResponse>(StatusCodes.Status201Created).Produces<SubmitResponse>().ProducesCommonProblems(400, 413, 415, 429);
        tasks.MapPost("/batch", SubmitBatchAsync).Require(Right.Submit)
            .WithSummary("Submit many tasks in one round trip (all validated first)").Accepts<SubmitBatchRequest>("application/json")
            .Produces<SubmitBatchResponse>().ProducesCommonProblems(400, 413, 415, 429);
        tasks.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List tasks, newest first (keyset pagination with before)").Produces<TaskListResponse>().ProducesCommonProblems(400);
        tasks.MapGet("/{id}", GetAsync).Require(Right.Read)
            .WithSummary("Get a task").Produces<TaskResponse>().ProducesCommonProblems(400, 404);
        tasks.MapGet("/{id}/why", WhyAsync).Require(Right.Read)
            .WithSummary("Why a task is not running: every reason found (scheduled, backoff, queue-paused, concurrency-limit, backlog, no-worker, waiting-on-steps, waiting-on-key, waiting), or that it runs or finished")
            .Produces<TaskWhyResponse>().ProducesCommonProblems(400, 404);
        tasks.MapPost("/{id}/cancel", CancelAsync).Require(Right.Manage)
            .WithSummary("Cancel a task (a running one is asked to stop: 202)").Produces<TaskActionResponse>().Produces<TaskActionResponse>(StatusCodes.Status202Accepted).ProducesCommonProblems(400, 404, 409);
        tasks.MapPost("/{id}/retry", RetryAsync).Require(Right.Manage)
            .WithSummary("Retry a dead or cancelled task")
            .WithDescription("An optional JSON body `{\"args\": {…}}` replaces the task's args first, checked against its plugin's schema like a submit's (400 naming `args.…`); without one the task runs again with its own args.")
            .Produces<TaskActionResponse>().ProducesCommonProblems(400, 404, 409);
        tasks.MapDelete("/{id}", DeleteAsync).Require(Right.Manage)
            .WithSummary("Delete a task that is not running").Produces(StatusCodes.Status204NoContent).ProducesCommonProblems(400, 404, 409);
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, INexusTasks tasks, PluginRegistry registry, INexusStore store)
    {
        var body = await RequestJson.ReadAsync<SubmitTaskRequest>(http.Request);
        var caller = Caller.From(http.User);
        var externalQueues = await SubmitMapping.ExternalQueuesAsync(caller, [body?.Plugin], registry, store, http.RequestAborted);
        var request = SubmitMapping.ToRequest(body, "", caller, registry, externalQueues);
        SubmitResult result;
        try
        {
            result = await tasks.SubmitJsonAsync(request.Plugin, request.ArgsJson, request.Options, http.RequestAborted);
        }
        catch (TaskValidationException ex)
        {
            throw SubmitMapping.Translate(ex, "", body!.DelayMs is not null);
        }
        catch (UnknownPluginException ex)
        {
            throw SubmitMapping.UnknownPlugin(ex, "plugin", caller, registry, externalQueues);
        }
        var response = new SubmitResponse(result.Id, result.Created);
        return result.Created ? Results.Created($"/api/v1/tasks/{result.Id}", response) : Results.Ok(response);
    }

    private static async Task<IResult> SubmitBatchAsync(HttpContext http, INexusTasks tasks, PluginRegistry registry, IOptions<NexusServerOptions> options, INexusStore store)
    {
        var body = await RequestJson.ReadAsync<SubmitBatchRequest>(http.Request);
        var items = body!.Tasks ?? throw ApiProblemException.Invalid("tasks", "is required");
        var max = options.Value.MaxBatchSize;
        if (items.Count == 0 || items.Count > max) throw ApiProblemException.Invalid("tasks", $"must hold 1–{max} tasks (had {items.Count})");
        var caller = Caller.From(http.User);
        var externalQueues = await SubmitMapping.ExternalQueuesAsync(caller, items.Select(t => t?.Plugin), registry, store, http.RequestAborted);
        var requests = new TaskRequest[items.Count];
        for (var i = 0; i < requests.Length; i++) requests[i] = SubmitMapping.ToRequest(items[i], $"tasks[{i}].", caller, registry, externalQueues);
        IReadOnlyList<SubmitResult> results;
        try
        {
            results = await tasks.SubmitManyAsync(requests, http.RequestAborted);
        }
        catch (TaskValidationException ex)
        {
            // The engine prefixes tasks[i]. only for batches of two or more.
            var field = ex.Field.StartsWith("tasks[", StringComparison.Ordinal) ? ex.Field : "tasks[0]." + ex.Field;
            throw SubmitMapping.Translate(new TaskValidationException(field, ex.Problem), "", items[IndexIn(field)]?.DelayMs is not null);
        }
        catch (UnknownPluginException ex)
        {
            var at = items.ToList().FindIndex(t => t?.Plugin == ex.Plugin);
            throw SubmitMapping.UnknownPlugin(ex, $"tasks[{Math.Max(at, 0)}].plugin", caller, registry, externalQueues);
        }
        return Results.Ok(new SubmitBatchResponse([.. results.Select(r => new SubmitResponse(r.Id, r.Created))]));
    }

    private static int IndexIn(string field)
    {
        var close = field.IndexOf(']', StringComparison.Ordinal);
        return close > 6 && int.TryParse(field.AsSpan(6, close - 6), System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : 0;
    }

    private static async Task<IResult> ListAsync(
        HttpContext http, INexusTasks tasks,
        [FromQuery] string? state, [FromQuery] string? plugin, [FromQuery] string? queue, [FromQuery] string? tag,
        [FromQuery] string? createdFrom, [FromQuery] string? createdBefore, [FromQuery] string? before, [FromQuery] string? limit,
        [FromQuery] string? argsPath, [FromQuery] string? argsValue)
    {
        var query = new TaskQuery
        {
            Args = QueryValues.Args(argsPath, argsValue),
            State = QueryValues.State(state),
            Plugin = QueryValues.Text(plugin, "plugin", 128),
            Queue = Caller.From(http.User).ScopeQueue(QueryValues.Queue(queue)),
            Tag = QueryValues.Text(tag, "tag", 64),
            CreatedFrom = QueryValues.Time(createdFrom, "createdFrom"),
            CreatedBefore = QueryValues.Time(createdBefore, "createdBefore"),
            BeforeId = QueryValues.Cursor(before),
            Limit = QueryValues.Int(limit, "limit", 1, 1000) ?? 50,
        };
        return Results.Ok(await Page(tasks, query, http.RequestAborted));
    }

    internal static async Task<TaskListResponse> Page(INexusTasks tasks, TaskQuery query, CancellationToken cancellationToken)
    {
        var page = await tasks.ListAsync(query, cancellationToken);
        return new TaskListResponse([.. page.Items.Select(TaskMapping.ToResponse)], page.NextBeforeId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusTasks tasks, Nexus.Artifacts.ClaimCheck claims, string id) =>
        Results.Ok(TaskMapping.ToResponse(await ClaimCheckViews.ShowAsync(claims, await LoadVisibleAsync(http, tasks, QueryValues.Id(id)), http.RequestAborted)));

    private static async Task<IResult> WhyAsync(HttpContext http, INexusTasks tasks, TaskDiagnosis diagnosis, string id)
    {
        var task = await LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        return Results.Ok(TaskWhyMapping.ToResponse(await diagnosis.DiagnoseAsync(task, http.RequestAborted)));
    }

    /// <summary>The task, or 404 when it does not exist or lies outside the caller's queues (its existence is not told).</summary>
    internal static async Task<TaskRecord> LoadVisibleAsync(HttpContext http, INexusTasks tasks, long id)
    {
        var task = await tasks.GetAsync(id, http.RequestAborted);
        if (task is null || !Caller.From(http.User).CanUse(task.Queue)) throw ApiProblemException.NotFound($"No task with id {id}.");
        return task;
    }

    private static async Task<IResult> CancelAsync(HttpContext http, INexusTasks tasks, string id)
    {
        var task = await LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        return await tasks.CancelAsync(task.Id, http.RequestAborted) switch
        {
            CancelOutcome.Cancelled => Results.Ok(new TaskActionResponse(task.Id, "cancelled")),
            CancelOutcome.Requested => Results.Json(new TaskActionResponse(task.Id, "requested"), statusCode: StatusCodes.Status202Accepted),
            CancelOutcome.AlreadyFinished => throw ApiProblemException.Conflict("task-finished", $"Task {task.Id} already finished; there is nothing to cancel."),
            _ => throw ApiProblemException.NotFound($"No task with id {task.Id}."),
        };
    }

    private static async Task<IResult> RetryAsync(HttpContext http, INexusTasks tasks, string id)
    {
        var task = await LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        var body = await RequestJson.ReadAsync<System.Text.Json.Nodes.JsonObject>(http.Request, allowEmpty: true);
        string? args = null;
        if (body is not null)
        {
            if (body.FirstOrDefault(p => p.Key != "args") is { Key: { } unknown }) throw ApiProblemException.Invalid(unknown, "is not a retry field (the body may hold only args)");
            if (body["args"] is { } given) args = given is System.Text.Json.Nodes.JsonObject ? given.ToJsonString() : throw ApiProblemException.Invalid("args", "must be a JSON object");
        }
        return await RetryOneAsync(http, tasks, task, args);
    }

    internal static async Task<IResult> RetryOneAsync(HttpContext http, INexusTasks tasks, TaskRecord task, string? argsJson = null) =>
        await tasks.RetryAsync(task.Id, argsJson, http.RequestAborted) switch
        {
            RetryOutcome.Retried => Results.Ok(new TaskActionResponse(task.Id, "retried")),
            RetryOutcome.NotRetryable => throw ApiProblemException.Conflict("not-retryable", $"Task {task.Id} is {task.State.ToName()}; only dead or cancelled tasks can be retried."),
            _ => throw ApiProblemException.NotFound($"No task with id {task.Id}."),
        };

    private static async Task<IResult> DeleteAsync(HttpContext http, INexusTasks tasks, string id)
    {
        var task = await LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        return await tasks.DeleteAsync(task.Id, http.RequestAborted) switch
        {
            DeleteOutcome.Deleted => Results.NoContent(),
            DeleteOutcome.Running => throw ApiProblemException.Conflict("task-running", $"Task {task.Id} is running; cancel it first."),
            _ => throw ApiProblemException.NotFound($"No task with id {task.Id}."),
        };
    }
}
