using System.Text.Json;
using Nexus.Scheduling;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Storage;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/schedules</c>: cron schedules, their pause state, next slots and history. A schedule belongs to
/// the queue its task target submits to: a queue-limited caller sees and changes only the schedules of its queues,
/// and event and workflow schedules (no queue) only unlimited callers do; any other is answered as if it did not exist.</summary>
internal static class ScheduleEndpoints
{
    public static void MapScheduleEndpoints(this RouteGroupBuilder api)
    {
        var schedules = api.MapGroup("/schedules").WithTags("Schedules");
        schedules.MapGet("", ListAsync).Require(Right.Read)
            .WithSummary("List schedules by name (after, limit)").Produces<ScheduleListResponse>().ProducesCommonProblems(400);
        schedules.MapGet("/{name}", GetAsync).Require(Right.Read)
            .WithSummary("Get one schedule").Produces<ScheduleResponse>().ProducesCommonProblems(400, 404);
        schedules.MapPut("/{name}", PutAsync).Require(Right.Manage)
            .WithSummary("Create or replace a schedule (its cursor restarts now; pause state and history are kept)")
            .Accepts<ScheduleRequest>("application/json").Produces<ScheduleResponse>().ProducesCommonProblems(400, 409, 413, 415);
        schedules.MapDelete("/{name}", DeleteAsync).Require(Right.Manage)
            .WithSummary("Delete a schedule and its history (its tasks stay)").Produces(204).ProducesCommonProblems(400, 404);
        schedules.MapPost("/{name}/pause", PauseAsync).Require(Right.Manage)
            .WithSummary("Pause a schedule with a reason and an optional automatic resume time")
            .Accepts<PauseScheduleRequest>("application/json").Produces<ScheduleResponse>().ProducesCommonProblems(400, 404, 413, 415);
        schedules.MapPost("/{name}/resume", ResumeAsync).Require(Right.Manage)
            .WithSummary("Resume a schedule (slots missed meanwhile follow its misfire policy)").Produces<ScheduleResponse>().ProducesCommonProblems(400, 404);
        schedules.MapGet("/{name}/next", NextAsync).Require(Right.Read)
            .WithSummary("Preview a schedule's next slots (count, 1–1000, default 10)").Produces<ScheduleNextResponse>().ProducesCommonProblems(400, 404);
        schedules.MapGet("/{name}/history", HistoryAsync).Require(Right.Read)
            .WithSummary("A schedule's fires, newest slot first (before, limit)").Produces<ScheduleHistoryResponse>().ProducesCommonProblems(400, 404);
    }

    private static async Task<IResult> ListAsync(HttpContext http, INexusSchedules service, string? after = null, string? limit = null)
    {
        var caller = Caller.From(http.User);
        var size = QueryValues.Int(limit, "limit", 1, 1000) ?? 100;
        var page = await service.ListAsync(after, size, http.RequestAborted);
        var items = page.Where(s => Visible(caller, service, s)).Select(Response).ToList();
        return Results.Ok(new ScheduleListResponse(items, page.Count == size ? page[^1].Name : null));
    }

    private static async Task<IResult> GetAsync(HttpContext http, INexusSchedules service, string name) =>
        Results.Ok(Response(await LoadAsync(http, service, name)));

    private static async Task<IResult> PutAsync(HttpContext http, INexusSchedules service, string name)
    {
        ScheduleName.Validate(name);
        var body = await RequestJson.ReadAsync<ScheduleRequest>(http.Request) ?? throw ApiProblemException.Invalid("body", "is required");
        var spec = new ScheduleSpec
        {
            Name = name,
            Cron = body.Cron ?? throw ApiProblemException.Invalid("cron", "is required"),
            TimeZone = body.TimeZone,
            Target = body.Target ?? throw ApiProblemException.Invalid("target", "is required: one of task, event or workflow"),
            Misfire = body.Misfire is null ? MisfirePolicy.FireOnce : ScheduleNames.ParseMisfire(body.Misfire) ?? throw ApiProblemException.Invalid("misfire", "must be skip, fire-once or fire-all"),
            Overlap = body.Overlap is null ? OverlapPolicy.AllowAll : ScheduleNames.ParseOverlap(body.Overlap) ?? throw ApiProblemException.Invalid("overlap", "must be skip, buffer-one, allow-all or cancel-previous"),
            CatchUpWindow = body.CatchUpWindow is null ? null : Durations.TryParse(body.CatchUpWindow, out var window) ? window : throw ApiProblemException.Invalid("catchUpWindow", "must be a duration such as 30m, 2h or PT1H"),
            Description = body.Description,
        };
        var caller = Caller.From(http.User);
        var queue = service.QueueOf(spec);
        if (caller.IsLimited)
        {
            if (queue is null) throw new ApiProblemException(403, "queue-forbidden", "Queue not allowed", "target: event and workflow schedules belong to no queue; you are limited to queues.", "target");
            caller.EnsureQueue(queue, "target.task.queue");
            // A name taken by a schedule the caller may not see is neither shown nor replaced.
            if (await service.GetAsync(name, http.RequestAborted) is { } existing && !Visible(caller, service, existing))
            {
                throw ApiProblemException.Conflict("name-taken", "name: the schedule name is taken; choose another.");
            }
        }
        return Results.Ok(Response(await service.PutAsync(spec, http.RequestAborted)));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, INexusSchedules service, string name)
    {
        await LoadAsync(http, service, name);
        await service.DeleteAsync(name, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> PauseAsync(HttpContext http, INexusSchedules service, string name)
    {
        await LoadAsync(http, service, name);
        var body = await RequestJson.ReadAsync<PauseScheduleRequest>(http.Request, allowEmpty: true);
        var paused = await service.PauseAsync(name, body?.Reason, body?.ResumeAt, http.RequestAborted);
        return paused is null ? throw NotFound(name) : Results.Ok(Response(paused));
    }

    private static async Task<IResult> ResumeAsync(HttpContext http, INexusSchedules service, string name)
    {
        await LoadAsync(http, service, name);
        var resumed = await service.ResumeAsync(name, http.RequestAborted);
        return resumed is null ? throw NotFound(name) : Results.Ok(Response(resumed));
    }

    private static async Task<IResult> NextAsync(HttpContext http, INexusSchedules service, string name, string? count = null)
    {
        await LoadAsync(http, service, name);
        var n = QueryValues.Int(count, "count", 1, ScheduleLimits.MaxPreview) ?? 10;
        var slots = await service.PreviewAsync(name, n, http.RequestAborted) ?? throw NotFound(name);
        return Results.Ok(new ScheduleNextResponse(slots));
    }

    private static async Task<IResult> HistoryAsync(HttpContext http, INexusSchedules service, string name, string? before = null, string? limit = null)
    {
        await LoadAsync(http, service, name);
        var size = QueryValues.Int(limit, "limit", 1, 1000) ?? 100;
        var fires = await service.HistoryAsync(name, QueryValues.Time(before, "before"), size, http.RequestAborted);
        return Results.Ok(new ScheduleHistoryResponse([.. fires.Select(f => new ScheduleFireResponse(f.Slot, f.Outcome.Name(), f.TaskId, f.Count, f.Detail, f.Node, f.DecidedAt))]));
    }

    /// <summary>The schedule, or 404 when there is none or the caller may not see it (the same answer for both).</summary>
    internal static async Task<ScheduleRecord> LoadAsync(HttpContext http, INexusSchedules service, string name)
    {
        ScheduleName.Validate(name);
        var s = await service.GetAsync(name, http.RequestAborted);
        return s is not null && Visible(Caller.From(http.User), service, s) ? s : throw NotFound(name);
    }

    internal static bool Visible(Caller caller, INexusSchedules service, ScheduleRecord s) =>
        !caller.IsLimited || (service.QueueOf(s) is { } queue && caller.CanUse(queue));

    private static ApiProblemException NotFound(string name) => ApiProblemException.NotFound($"No schedule named '{QueryValues.Shorten(name)}'.");

    internal static ScheduleResponse Response(ScheduleRecord s)
    {
        using var target = JsonDocument.Parse($"{{{JsonSerializer.Serialize(s.TargetKind)}:{s.TargetJson}}}");
        return new ScheduleResponse(s.Name, s.Cron, s.TimeZone, target.RootElement.Clone(), s.Misfire.Name(), (long)s.CatchUpWindow.TotalMilliseconds,
            s.Overlap.Name(), s.Description, s.Paused, s.PauseReason, s.ResumeAt, s.NextFireAt, s.BufferedSlot, s.LastTaskId, s.CreatedAt, s.UpdatedAt);
    }
}
