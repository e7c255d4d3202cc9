using Nexus.Server.Api.Mapping;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Workflows;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/workflows</c> and <c>/api/v1/runs</c>: register definitions, start runs, watch and steer them.
/// Reading needs <see cref="Right.Read"/>, registering, starting and signalling <see cref="Right.Submit"/>, cancel, retry,
/// pause and resume <see cref="Right.Manage"/>. A workflow's steps may run in any queue, so a caller limited to queues is
/// refused every workflow route (403 <c>workflows-forbidden</c>): deny by default.</summary>
internal static class WorkflowEndpoints
{
    public static void MapWorkflowEndpoints(this RouteGroupBuilder api)
    {
        var workflows = api.MapGroup("/workflows").WithTags("Workflows");
        workflows.MapGet("/schema", (HttpContext http) =>
            {
                EnsureUnscoped(http);
                return Results.Text(WorkflowSchema.Json, "application/schema+json");
            })
            .Require(Right.Read).WithSummary("The JSON Schema of workflow definitions").Produces<JsonElement>(contentType: "application/schema+json").ProducesCommonProblems();
        workflows.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List workflows (the latest version of each)").Produces<WorkflowListResponse>().ProducesCommonProblems();
        workflows.MapPost("", RegisterAsync).Require(Right.Submit)
            .WithSummary("Register a definition as the workflow's next version (200 when it equals the latest)")
            .Produces<WorkflowResponse>(StatusCodes.Status201Created).Produces<WorkflowResponse>().ProducesCommonProblems(400, 415);
        workflows.MapGet("/{name}", GetAsync).Require(Right.Read)
            .WithSummary("Get a workflow's latest version (or ?version=n)").Produces<WorkflowResponse>().ProducesCommonProblems(400, 404);
        workflows.MapGet("/{name}/versions", VersionsAsync).Require(Right.Read)
            .WithSummary("List a workflow's versions, oldest first").Produces<WorkflowListResponse>().ProducesCommonProblems(404);
        workflows.MapPost("/{name}/runs", StartAsync).Require(Right.Submit)
            .WithSummary("Start a run (200 when the idempotency key returned an existing run)")
            .Produces<StartRunResponse>(StatusCodes.Status201Created).Produces<StartRunResponse>().ProducesCommonProblems(400, 404, 415);

        var runs = api.MapGroup("/runs").WithTags("Workflows");
        runs.MapGet("", ListRunsAsync).Require(Right.Read)
            .WithSummary("List runs, newest first (keyset pagination with before)").Produces<RunListResponse>().ProducesCommonProblems(400);
        runs.MapGet("/{id}", GetRunAsync).Require(Right.Read)
            .WithSummary("Get a run with every step's state, attempts and output").Produces<RunResponse>().ProducesCommonProblems(400, 404);
        runs.MapGet("/{id}/steps/{step}/items", ItemsAsync).Require(Right.Read)
            .WithSummary("List the items of a forEach step").Produces<StepItemListResponse>().ProducesCommonProblems(400, 404);
        runs.MapPost("/{id}/cancel", (HttpContext http, INexusWorkflows w, string id) => ActAsync(http, w, id, "cancel", w.CancelAsync)).Require(Right.Manage)
            .WithSummary("Cancel a run (its running steps are asked to stop)").Produces<RunResponse>().ProducesCommonProblems(400, 404, 409);
        runs.MapPost("/{id}/retry", (HttpContext http, INexusWorkflows w, string id) => ActAsync(http, w, id, "retry", w.RetryAsync)).Require(Right.Manage)
            .WithSummary("Retry a failed, compensated or cancelled run from its failed steps").Produces<RunResponse>().ProducesCommonProblems(400, 404, 409);
        runs.MapPost("/{id}/pause", (HttpContext http, INexusWorkflows w, string id) => ActAsync(http, w, id, "pause", w.PauseAsync)).Require(Right.Manage)
            .WithSummary("Pause a run: running steps finish, no new step starts").Produces<RunResponse>().ProducesCommonProblems(400, 404, 409);
        runs.MapPost("/{id}/resume", (HttpContext http, INexusWorkflows w, string id) => ActAsync(http, w, id, "resume", w.ResumeAsync)).Require(Right.Manage)
            .WithSummary("Resume a paused run").Produces<RunResponse>().ProducesCommonProblems(400, 404, 409);
        runs.MapPost("/{id}/signal", SignalAsync).Require(Right.Submit)
            .WithSummary("Send a signal to a run's waitForEvent step").Produces<RunResponse>().ProducesCommonProblems(400, 404, 409, 415);
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusWorkflows workflows)
    {
        EnsureUnscoped(http);
        var list = await workflows.ListAsync(http.RequestAborted);
        return Results.Ok(new WorkflowListResponse([.. list.Select(w => WorkflowMapping.ToResponse(w))]));
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, INexusWorkflows workflows)
    {
        EnsureUnscoped(http);
        var body = await RequestJson.ReadAsync<System.Text.Json.Nodes.JsonObject>(http.Request);
        var definition = WorkflowJson.Parse(body!.ToJsonString());
        var registered = await workflows.RegisterAsync(definition, http.RequestAborted);
        var response = WorkflowMapping.ToResponse(registered.Workflow, registered.Created);
        return registered.Created
            ? Results.Created($"/api/v1/workflows/{registered.Workflow.Name}?version={registered.Workflow.Version}", response)
            : Results.Ok(response);
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusWorkflows workflows, string name, [FromQuery] string? version)
    {
        EnsureUnscoped(http);
        var v = QueryValues.Int(version, "version", 1, int.MaxValue);
        var found = await workflows.GetAsync(name, v, http.RequestAborted) ?? throw NotFound(name, v);
        return Results.Ok(WorkflowMapping.ToResponse(found));
    }

    private static async Task<IResult> VersionsAsync(HttpContext http, INexusWorkflows workflows, string name)
    {
        EnsureUnscoped(http);
        var list = await workflows.VersionsAsync(name, http.RequestAborted);
        if (list.Count == 0) throw NotFound(name, null);
        return Results.Ok(new WorkflowListResponse([.. list.Select(w => WorkflowMapping.ToResponse(w))]));
    }

    private static async Task<IResult> StartAsync(HttpContext http, INexusWorkflows workflows, string name)
    {
        EnsureUnscoped(http);
        var body = await RequestJson.ReadAsync<StartRunRequest>(http.Request, allowEmpty: true) ?? new StartRunRequest();
        if (body.Input is { } input && input.ValueKind != JsonValueKind.Object) throw ApiProblemException.Invalid("input", "must be a JSON object");
        StartedRun started;
        try
        {
            started = await workflows.StartAsync(name, body.Input?.GetRawText(), new StartRunOptions { IdempotencyKey = body.IdempotencyKey, Version = body.Version }, http.RequestAborted);
        }
        catch (UnknownWorkflowException ex)
        {
            throw ApiProblemException.NotFound(ex.Message);
        }
        var response = new StartRunResponse(started.RunId, started.Version, started.Created);
        return started.Created ? Results.Created($"/api/v1/runs/{started.RunId}", response) : Results.Ok(response);
    }

    private static async Task<IResult> ListRunsAsync(HttpContext http, INexusWorkflows workflows,
        [FromQuery] string? workflow, [FromQuery] string? state, [FromQuery] string? before, [FromQuery] string? limit)
    {
        EnsureUnscoped(http);
        RunState? runState = null;
        if (state is not null)
        {
            runState = Enum.GetValues<RunState>().Where(s => string.Equals(s.ToName(), state, StringComparison.OrdinalIgnoreCase)).Cast<RunState?>().FirstOrDefault()
                ?? throw ApiProblemException.Invalid("state", $"'{QueryValues.Shorten(state)}' is not a run state (expected one of: {string.Join(", ", Enum.GetValues<RunState>().Select(s => s.ToName()))})");
        }
        var page = await workflows.ListRunsAsync(new RunQuery
        {
            Workflow = QueryValues.Text(workflow, "workflow", 128),
            State = runState,
            Before = QueryValues.Cursor(before),
            Limit = QueryValues.Int(limit, "limit", 1, 1000) ?? 50,
        }, http.RequestAborted);
        return Results.Ok(new RunListResponse([.. page.Items.Select(r => RunMapping.ToResponse(r))], page.Next?.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<IResult> GetRunAsync(HttpContext http, INexusWorkflows workflows, Nexus.Artifacts.ClaimCheck claims, string id)
    {
        EnsureUnscoped(http);
        var runId = QueryValues.Id(id);
        var details = await workflows.GetRunAsync(runId, http.RequestAborted) ?? throw ApiProblemException.NotFound($"No workflow run with id {runId}.");
        return Results.Ok(RunMapping.ToResponse(await ClaimCheckViews.ShowAsync(claims, details, http.RequestAborted)));
    }

    private static async Task<IResult> ItemsAsync(HttpContext http, INexusWorkflows workflows, string id, string step)
    {
        EnsureUnscoped(http);
        var runId = QueryValues.Id(id);
        var details = await workflows.GetRunAsync(runId, http.RequestAborted) ?? throw ApiProblemException.NotFound($"No workflow run with id {runId}.");
        var def = details.Definition.Steps.FirstOrDefault(s => s.Id == step)
            ?? throw ApiProblemException.NotFound($"Run {runId} has no step '{QueryValues.Shorten(step)}'.");
        var items = await workflows.GetItemsAsync(runId, def.Id, http.RequestAborted);
        return Results.Ok(new StepItemListResponse([.. items.Select(i => RunMapping.ToItem(def, i))]));
    }

    private static async Task<IResult> SignalAsync(HttpContext http, INexusWorkflows workflows, string id)
    {
        EnsureUnscoped(http);
        var runId = QueryValues.Id(id);
        var body = await RequestJson.ReadAsync<SignalRequest>(http.Request);
        if (string.IsNullOrEmpty(body!.Signal)) throw ApiProblemException.Invalid("signal", "is required");
        var outcome = await workflows.SignalAsync(runId, body.Signal, body.Payload?.GetRawText(), http.RequestAborted);
        return await AnswerAsync(http, workflows, runId, "signal", outcome, $"no step of run {runId} is waiting for the signal '{QueryValues.Shorten(body.Signal)}' (or its payload does not match the step's filter)");
    }

    private static async Task<IResult> ActAsync(HttpContext http, INexusWorkflows workflows, string id, string action, Func<long, CancellationToken, Task<RunAction>> act)
    {
        EnsureUnscoped(http);
        var runId = QueryValues.Id(id);
        var outcome = await act(runId, http.RequestAborted);
        return await AnswerAsync(http, workflows, runId, action, outcome, null);
    }

    private static async Task<IResult> AnswerAsync(HttpContext http, INexusWorkflows workflows, long runId, string action, RunAction outcome, string? why)
    {
        var details = await workflows.GetRunAsync(runId, http.RequestAborted);
        return outcome switch
        {
            RunAction.Done when details is not null => Results.Ok(RunMapping.ToResponse(details)),
            RunAction.NotApplicable when details is not null => throw ApiProblemException.Conflict("run-state",
                why ?? $"Run {runId} is {details.Run.State.ToName()}{(details.Run.Paused ? " (paused)" : "")}: it cannot {action} now."),
            _ => throw ApiProblemException.NotFound($"No workflow run with id {runId}."),
        };
    }

    internal static ApiProblemException NotFound(string name, int? version) =>
        ApiProblemException.NotFound(version is null ? $"No workflow named '{QueryValues.Shorten(name)}'." : $"Workflow '{QueryValues.Shorten(name)}' has no version {version}.");

    /// <summary>Fails closed for callers limited to queues: a workflow's steps may run in any queue.</summary>
    internal static void EnsureUnscoped(HttpContext http)
    {
        if (Caller.From(http.User).Queues is { } queues)
        {
            throw new ApiProblemException(403, "workflows-forbidden", "Workflows not allowed",
                $"A workflow's steps may run in any queue, so a caller limited to queues ({string.Join(", ", queues.Order(StringComparer.Ordinal))}) may not use workflows; use a key or token without a queue limit.");
        }
    }
}
