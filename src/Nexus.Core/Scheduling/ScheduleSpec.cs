using System.Text.Json;

namespace Nexus.Scheduling;

/// <summary>A schedule to create or replace.</summary>
public sealed record ScheduleSpec
{
    /// <summary>Unique name: letters, digits, <c>_ . - :</c>; 1–128 characters.</summary>
    public required string Name { get; init; }
    /// <summary>Cron: five fields, six with seconds first, or a macro such as <c>@hourly</c>.</summary>
    public required string Cron { get; init; }
    /// <summary>IANA time zone the expression is read in. Default <c>UTC</c>.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Exactly one of <c>{"task":{"plugin","args","queue","priority","maxAttempts","timeoutMs","tags"}}</c>,
    /// <c>{"event":{"namespace","topic","payload"}}</c>, <c>{"workflow":{"name","input"}}</c>.</summary>
    public required JsonElement Target { get; init; }
    /// <summary>Misfire policy. Default <see cref="MisfirePolicy.FireOnce"/>.</summary>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.FireOnce;
    /// <summary>How far back <see cref="MisfirePolicy.FireAll"/> catches up, at most 7 days. Default 1 hour.</summary>
    public TimeSpan? CatchUpWindow { get; init; }
    /// <summary>Overlap policy. Default <see cref="OverlapPolicy.AllowAll"/>.</summary>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.AllowAll;
    /// <summary>Free text, at most 500 characters.</summary>
    public string? Description { get; init; }
}

/// <summary>The kinds of schedule target.</summary>
public static class ScheduleTargetKinds
{
    /// <summary>Submit a plugin task.</summary>
    public const string Task = "task";
    /// <summary>Emit an event (needs an <see cref="IScheduleTargetHandler"/> of this kind).</summary>
    public const string Event = "event";
    /// <summary>Start a workflow (needs an <see cref="IScheduleTargetHandler"/> of this kind).</summary>
    public const string Workflow = "workflow";
}

/// <summary>The task a <c>{"task": …}</c> target submits at each fire.</summary>
public sealed record TaskTarget
{
    /// <summary>Plugin name.</summary>
    public required string Plugin { get; init; }
    /// <summary>Args JSON object. Default <c>{}</c>.</summary>
    public JsonElement? Args { get; init; }
    /// <summary>Queue; default the plugin's.</summary>
    public string? Queue { get; init; }
    /// <summary>Priority. Default 0.</summary>
    public int Priority { get; init; }
    /// <summary>Attempts; default the plugin's.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Per-attempt time limit in milliseconds; default the plugin's.</summary>
    public long? TimeoutMs { get; init; }
    /// <summary>Tags (the fire adds <c>schedule:&lt;name&gt;</c>).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}
