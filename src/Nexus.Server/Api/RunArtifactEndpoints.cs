using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.StaticFiles;
using Nexus.Artifacts;
using Nexus.Hosting;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Workflows;

namespace Nexus.Server.Api;

/// <summary>
/// A run's and a task's files in the artifact store (<c>Nexus:Artifacts</c>) and each attempt's log:
/// <c>GET /runs/{id}/artifacts</c>, <c>/runs/{id}/artifacts/{**name}</c>, <c>/runs/{id}/steps/{step}/logs</c>,
/// <c>/tasks/{id}/artifacts</c>, <c>/tasks/{id}/artifacts/{**name}</c>, <c>/tasks/{id}/logs</c>. All need
/// <see cref="Right.Read"/>. The run routes follow the workflow routes' rule (a caller limited to queues is refused, 403
/// <c>workflows-forbidden</c>); the task routes the task routes' rule (a task outside the caller's queues is 404).
/// Names are relative to the run's or task's folder and checked by <see cref="ArtifactName"/> (400 naming <c>name</c>).
/// Downloads are served as data (nosniff, a sandboxing CSP), never as a page of this origin.
/// </summary>
internal static class RunArtifactEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void MapRunArtifactEndpoints(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Workflows");
        runs.MapGet("/{id}/artifacts", ListRunAsync).Require(Right.Read)
            .WithSummary("List a run's artifacts (every step's files, offloaded outputs and logs), in name order; page with after")
            .Produces<ArtifactListResponse>().ProducesCommonProblems(400, 404);
        runs.MapGet("/{id}/artifacts/{**name}", DownloadRunAsync).Require(Right.Read)
            .WithSummary("Download one of a run's artifacts (the name is relative to the run: <step>/<file>)")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesCommonProblems(400, 404);
        runs.MapGet("/{id}/steps/{step}/logs", StepLogAsync).Require(Right.Read)
            .WithSummary("Read the log of one attempt of a step (default: its latest attempt; ?item=n for a forEach item)")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain").ProducesCommonProblems(400, 404);

        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapGet("/{id}/artifacts", ListTaskAsync).Require(Right.Read)
            .WithSummary("List a task's artifacts (for a workflow step: its step's folder), in name order; page with after")
            .Produces<ArtifactListResponse>().ProducesCommonProblems(400, 404);
        tasks.MapGet("/{id}/artifacts/{**name}", DownloadTaskAsync).Require(Right.Read)
            .WithSummary("Download one of a task's artifacts (the name is relative to the task's folder)")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesCommonProblems(400, 404);
        tasks.MapGet("/{id}/logs", TaskLogAsync).Require(Right.Read)
            .WithSummary("Read the log of one attempt of a task (default: its latest attempt)")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain").ProducesCommonProblems(400, 404);
    }

    private static async Task<IResult> ListRunAsync(HttpContext http, INexusWorkflows workflows, IArtifactStore store, string id,
        [FromQuery] string? after, [FromQuery] string? limit)
    {
        var run = await LoadRunAsync(http, workflows, id);
        return await ListAsync(http, store, ArtifactPrefixes.ForRun(run.Run.Id), after, limit);
    }

    private static async Task<IResult> DownloadRunAsync(HttpContext http, INexusWorkflows workflows, IArtifactStore store, string id, string name)
    {
        var run = await LoadRunAsync(http, workflows, id);
        return await DownloadAsync(http, store, ArtifactPrefixes.ForRun(run.Run.Id), name, $"run {run.Run.Id}");
    }

    private static async Task<IResult> StepLogAsync(HttpContext http, INexusWorkflows workflows, IArtifactStore store, string id, string step,
        [FromQuery] string? attempt, [FromQuery] string? item)
    {
        var run = await LoadRunAsync(http, workflows, id);
        var row = run.Steps.FirstOrDefault(s => s.StepId == step && s.Item < 0);
        if (row is null && run.Definition.Steps.All(s => s.Id != step))
        {
            throw ApiProblemException.NotFound($"Run {run.Run.Id} has no step '{QueryValues.Shorten(step)}'.");
        }
        var index = QueryValues.Int(item, "item", 0, int.MaxValue);
        var latest = row?.Attempt ?? 0;
        if (index is { } i)
        {
            var items = await workflows.GetItemsAsync(run.Run.Id, step, http.RequestAborted);
            var itemRow = items.FirstOrDefault(x => x.Item == i) ?? throw ApiProblemException.NotFound($"Step '{QueryValues.Shorten(step)}' of run {run.Run.Id} has no item {i}.");
            latest = itemRow.Attempt;
        }
        var folder = index is { } n
            ? string.Create(CultureInfo.InvariantCulture, $"{ArtifactPrefixes.ForStep(run.Run.Id, step)}{n}/")
            : ArtifactPrefixes.ForStep(run.Run.Id, step);
        return await LogAsync(http, store, folder, attempt, latest, $"step '{QueryValues.Shorten(step)}' of run {run.Run.Id}");
    }

    private static async Task<IResult> ListTaskAsync(HttpContext http, INexusTasks tasks, IArtifactStore store, string id,
        [FromQuery] string? after, [FromQuery] string? limit)
    {
        var task = await TaskEndpoints.LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        return await ListAsync(http, store, ArtifactPrefixes.ForTask(task.Id, task.Owner), after, limit);
    }

    private static async Task<IResult> DownloadTaskAsync(HttpContext http, INexusTasks tasks, IArtifactStore store, string id, string name)
    {
        var task = await TaskEndpoints.LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        return await DownloadAsync(http, store, ArtifactPrefixes.ForTask(task.Id, task.Owner), name, $"task {task.Id}");
    }

    private static async Task<IResult> TaskLogAsync(HttpContext http, INexusTasks tasks, IArtifactStore store, string id, [FromQuery] string? attempt)
    {
        var task = await TaskEndpoints.LoadVisibleAsync(http, tasks, QueryValues.Id(id));
        return await LogAsync(http, store, ArtifactPrefixes.ForTask(task.Id, task.Owner), attempt, task.Attempt, $"task {task.Id}");
    }

    private static async Task<RunDetails> LoadRunAsync(HttpContext http, INexusWorkflows workflows, string id)
    {
        WorkflowEndpoints.EnsureUnscoped(http);
        var runId = QueryValues.Id(id);
        return await workflows.GetRunAsync(runId, http.RequestAborted) ?? throw ApiProblemException.NotFound($"No workflow run with id {runId}.");
    }

    private static async Task<IResult> ListAsync(HttpContext http, IArtifactStore store, string folder, string? after, string? limit)
    {
        var size = QueryValues.Int(limit, "limit", 1, 1000) ?? 100;
        var afterName = after is null ? null : folder + Relative(after, "after");
        var page = await store.ListAsync(folder, afterName, size + 1, http.RequestAborted);
        var items = page.Take(size).Select(a => new ArtifactResponse(a.Name[folder.Length..], a.Bytes, a.ModifiedAt)).ToList();
        return Results.Ok(new ArtifactListResponse(items, page.Count > size ? items[^1].Path : null));
    }

    private static async Task<IResult> DownloadAsync(HttpContext http, IArtifactStore store, string folder, string name, string owner)
    {
        // The server decodes a path except its %2F, which a catch-all value keeps: a slash is a slash here too.
        var relative = Relative(name.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), "name");
        var full = folder + relative;
        var info = await store.GetInfoAsync(full, http.RequestAborted);
        var content = info is null ? null : await store.OpenAsync(full, http.RequestAborted);
        if (info is null || content is null) throw ApiProblemException.NotFound($"{Capitalized(owner)} has no artifact '{QueryValues.Shorten(relative)}'.");
        if (!ContentTypes.TryGetContentType(relative, out var contentType)) contentType = "application/octet-stream";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        http.Response.ContentLength = info.Bytes;
        return Results.Stream(content, contentType, lastModified: info.ModifiedAt == DateTimeOffset.MinValue ? null : info.ModifiedAt);
    }

    private static async Task<IResult> LogAsync(HttpContext http, IArtifactStore store, string folder, string? attempt, int latest, string owner)
    {
        var number = QueryValues.Int(attempt, "attempt", 1, int.MaxValue) ?? latest;
        if (number < 1) throw ApiProblemException.NotFound($"{Capitalized(owner)} has not started an attempt yet, so it has no log.");
        var content = await store.OpenAsync(ArtifactPrefixes.Log(folder, number), http.RequestAborted)
            ?? throw ApiProblemException.NotFound($"{Capitalized(owner)} has no log for attempt {number} (an attempt that logged nothing keeps none).");
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Nexus-Attempt"] = number.ToString(CultureInfo.InvariantCulture);
        return Results.Stream(content, "text/plain; charset=utf-8");
    }

    private static string Relative(string name, string field)
    {
        if (ArtifactName.Problem(name) is { } problem) throw ApiProblemException.Invalid(field, problem);
        return name;
    }

    private static string Capitalized(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
