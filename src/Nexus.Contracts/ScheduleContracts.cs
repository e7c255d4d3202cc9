using System.Text.Json;

namespace Nexus.Contracts;

/// <summary>A schedule to create or replace (<c>PUT /api/v1/schedules/{name}</c>).</summary>
public sealed record ScheduleRequest
{
    /// <summary>An empty schedule: set the fields with an initializer.</summary>
    public ScheduleRequest() { }

    /// <summary>A schedule with its required fields; the others with an initializer.</summary>
    public ScheduleRequest(string cron, JsonElement target)
    {
        Cron = cron;
        Target = target;
    }

    /// <summary>Cron: five fields, six with seconds first, or a macro (<c>@hourly</c>).</summary>
    public string? Cron { get; init; }
    /// <summary>IANA time zone. Default <c>UTC</c>.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Exactly one of <c>{"task":{"plugin","args","queue","priority","maxAttempts","timeoutMs","tags"}}</c>, <c>{"event":{"namespace","topic","payload"}}</c>, <c>{"workflow":{"name","input"}}</c>.</summary>
    public JsonElement? Target { get; init; }
    /// <summary><c>skip</c>, <c>fire-once</c> (default) or <c>fire-all</c>.</summary>
    public string? Misfire { get; init; }
    /// <summary>How far back <c>fire-all</c> catches up (<c>30m</c>, <c>2h</c>, ISO 8601), at most 7 days. Default 1 hour.</summary>
    public string? CatchUpWindow { get; init; }
    /// <summary><c>skip</c>, <c>buffer-one</c>, <c>allow-all</c> (default) or <c>cancel-previous</c>.</summary>
    public string? Overlap { get; init; }
    /// <summary>Free text, at most 500 characters.</summary>
    public string? Description { get; init; }
}

/// <summary>A schedule.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Cron">The cron expression.</param>
/// <param name="TimeZone">The time zone it is read in.</param>
/// <param name="Target">The target, e.g. <c>{"task":{…}}</c>.</param>
/// <param name="Misfire">Misfire policy.</param>
/// <param name="CatchUpWindowMs">Catch-up window of <c>fire-all</c>, in milliseconds.</param>
/// <param name="Overlap">Overlap policy.</param>
/// <param name="Description">Free text.</param>
/// <param name="Paused">Paused schedules do not fire.</param>
/// <param name="PauseReason">Why it was paused.</param>
/// <param name="ResumeAt">When it resumes by itself.</param>
/// <param name="NextFireAt">Its next slot.</param>
/// <param name="BufferedSlot">A slot waiting for the previous task (overlap <c>buffer-one</c>).</param>
/// <param name="LastTaskId">The task of its latest fire.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record ScheduleResponse(
    string Name, string Cron, string TimeZone, JsonElement Target, string Misfire, long CatchUpWindowMs, string Overlap, string? Description,
    bool Paused, string? PauseReason, DateTimeOffset? ResumeAt, DateTimeOffset? NextFireAt, DateTimeOffset? BufferedSlot, long? LastTaskId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of schedules.</summary>
/// <param name="Items">Schedules by name.</param>
/// <param name="Next">The <c>after</c> value of the next page, or null at the end.</param>
public sealed record ScheduleListResponse(IReadOnlyList<ScheduleResponse> Items, string? Next);

/// <summary>Pauses a schedule.</summary>
/// <param name="Reason">Why, at most 500 characters.</param>
/// <param name="ResumeAt">Resume by itself at this time (in the future), or null.</param>
public sealed record PauseScheduleRequest(string? Reason, DateTimeOffset? ResumeAt);

/// <summary>The next slots of a schedule.</summary>
/// <param name="Slots">Instants, oldest first.</param>
public sealed record ScheduleNextResponse(IReadOnlyList<DateTimeOffset> Slots);

/// <summary>One decided slot.</summary>
/// <param name="Slot">The slot.</param>
/// <param name="Outcome"><c>fired</c>, <c>misfired</c>, <c>skipped</c>, <c>buffered</c> or <c>failed</c>.</param>
/// <param name="TaskId">The task it submitted.</param>
/// <param name="Count">Slots it stands for (misfires).</param>
/// <param name="Detail">Why.</param>
/// <param name="Node">The node that decided it.</param>
/// <param name="DecidedAt">When.</param>
public sealed record ScheduleFireResponse(DateTimeOffset Slot, string Outcome, long? TaskId, int Count, string? Detail, string Node, DateTimeOffset DecidedAt);

/// <summary>A schedule's history, newest slot first.</summary>
/// <param name="Items">The fires.</param>
public sealed record ScheduleHistoryResponse(IReadOnlyList<ScheduleFireResponse> Items);
