using System.Text.Json;

namespace Nexus.Client;

/// <summary>A schedule to create or replace with <see cref="SchedulesClient.PutAsync"/>.</summary>
public sealed record ScheduleDefinition
{
    /// <summary>Cron: five fields, six with seconds first, or a macro (<c>@hourly</c>).</summary>
    public required string Cron { get; init; }
    /// <summary>IANA time zone. Default (null): UTC.</summary>
    public string? TimeZone { get; init; }
    /// <summary>One of <c>{"task":{…}}</c>, <c>{"event":{…}}</c>, <c>{"workflow":{…}}</c>; see <see cref="ScheduleTargets"/>.</summary>
    public required JsonElement Target { get; init; }
    /// <summary><c>skip</c>, <c>fire-once</c> or <c>fire-all</c>. Default (null): fire-once.</summary>
    public string? Misfire { get; init; }
    /// <summary>How far back <c>fire-all</c> catches up (<c>30m</c>, <c>2h</c>). Default (null): 1 hour.</summary>
    public string? CatchUpWindow { get; init; }
    /// <summary><c>skip</c>, <c>buffer-one</c>, <c>allow-all</c> or <c>cancel-previous</c>. Default (null): allow-all.</summary>
    public string? Overlap { get; init; }
    /// <summary>Free text.</summary>
    public string? Description { get; init; }
}

/// <summary>Builds schedule targets.</summary>
public static class ScheduleTargets
{
    /// <summary><c>{"task":{"plugin":…,"args":…,"queue":…}}</c>; <paramref name="argsJson"/> must be a JSON object.</summary>
    public static JsonElement Task(string plugin, string argsJson = "{}", string? queue = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var text = "{\"task\":{\"plugin\":" + JsonSerializer.Serialize(plugin, Http.ClientJson.Default.String) + ",\"args\":" + argsJson
            + (queue is null ? "" : ",\"queue\":" + JsonSerializer.Serialize(queue, Http.ClientJson.Default.String)) + "}}";
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary><c>{"event":{"namespace":…,"topic":…,"payload":…}}</c>: each fire appends one event; <paramref name="payloadJson"/>
    /// is any JSON value (default <c>{}</c>).</summary>
    public static JsonElement Event(string @namespace, string topic, string payloadJson = "{}", string? key = null)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(topic);
        var text = "{\"event\":{\"namespace\":" + JsonSerializer.Serialize(@namespace, Http.ClientJson.Default.String)
            + ",\"topic\":" + JsonSerializer.Serialize(topic, Http.ClientJson.Default.String) + ",\"payload\":" + payloadJson
            + (key is null ? "" : ",\"key\":" + JsonSerializer.Serialize(key, Http.ClientJson.Default.String)) + "}}";
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary><c>{"workflow":{"name":…,"input":…}}</c>: each fire starts a run; <paramref name="inputJson"/> must be a JSON object.</summary>
    public static JsonElement Workflow(string name, string inputJson = "{}")
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = "{\"workflow\":{\"name\":" + JsonSerializer.Serialize(name, Http.ClientJson.Default.String) + ",\"input\":" + inputJson + "}}";
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}

/// <summary>A schedule.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Cron">The cron expression.</param>
/// <param name="TimeZone">The time zone it is read in.</param>
/// <param name="Target">The target, e.g. <c>{"task":{…}}</c>.</param>
/// <param name="Misfire">Misfire policy.</param>
/// <param name="CatchUpWindowMs">Catch-up window of <c>fire-all</c> in milliseconds.</param>
/// <param name="Overlap">Overlap policy.</param>
/// <param name="Description">Free text.</param>
/// <param name="Paused">Paused schedules do not fire.</param>
/// <param name="PauseReason">Why it was paused.</param>
/// <param name="ResumeAt">When it resumes by itself.</param>
/// <param name="NextFireAt">Its next slot.</param>
/// <param name="BufferedSlot">A slot waiting for the previous task.</param>
/// <param name="LastTaskId">The task of its latest fire.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record ScheduleInfo(
    string Name, string Cron, string TimeZone, JsonElement Target, string Misfire, long CatchUpWindowMs, string Overlap, string? Description,
    bool Paused, string? PauseReason, DateTimeOffset? ResumeAt, DateTimeOffset? NextFireAt, DateTimeOffset? BufferedSlot, long? LastTaskId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of schedules.</summary>
/// <param name="Items">Schedules by name.</param>
/// <param name="Next">The <c>after</c> of the next page, or null.</param>
public sealed record SchedulePage(IReadOnlyList<ScheduleInfo> Items, string? Next);

/// <summary>One decided slot of a schedule.</summary>
/// <param name="Slot">The slot.</param>
/// <param name="Outcome"><c>fired</c>, <c>misfired</c>, <c>skipped</c>, <c>buffered</c> or <c>failed</c>.</param>
/// <param name="TaskId">The task it submitted.</param>
/// <param name="Count">Slots it stands for (misfires).</param>
/// <param name="Detail">Why.</param>
/// <param name="Node">The node that decided it.</param>
/// <param name="DecidedAt">When.</param>
public sealed record ScheduleFire(DateTimeOffset Slot, string Outcome, long? TaskId, int Count, string? Detail, string Node, DateTimeOffset DecidedAt);

/// <summary>A schedule's history.</summary>
/// <param name="Items">Newest slot first.</param>
public sealed record ScheduleHistory(IReadOnlyList<ScheduleFire> Items);

/// <summary>The next slots of a schedule.</summary>
/// <param name="Slots">Oldest first.</param>
public sealed record ScheduleNext(IReadOnlyList<DateTimeOffset> Slots);

/// <summary>Body of a pause.</summary>
/// <param name="Reason">Why.</param>
/// <param name="ResumeAt">Resume by itself then.</param>
internal sealed record SchedulePauseBody(string? Reason, DateTimeOffset? ResumeAt);
