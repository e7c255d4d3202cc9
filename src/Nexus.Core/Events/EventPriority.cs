namespace Nexus.Events;

/// <summary>How urgent an event is. Within a subscription, higher priorities are delivered first (their delivery
/// tasks carry the priority). Stored as 0–3.</summary>
public enum EventPriority
{
    /// <summary>Background work.</summary>
    Low = 0,
    /// <summary>The default.</summary>
    Normal = 1,
    /// <summary>Ahead of normal.</summary>
    High = 2,
    /// <summary>Ahead of everything.</summary>
    Critical = 3,
}

/// <summary>Names of <see cref="EventPriority"/> values as they travel in JSON and URLs.</summary>
public static class EventPriorities
{
    /// <summary>The lower-case name (<c>low</c>, <c>normal</c>, <c>high</c>, <c>critical</c>).</summary>
    public static string ToName(this EventPriority priority) => priority switch
    {
        EventPriority.Low => "low",
        EventPriority.Normal => "normal",
        EventPriority.High => "high",
        EventPriority.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(priority)),
    };

    /// <summary>Parses a name (case-insensitive); null gives <see cref="EventPriority.Normal"/>. Throws
    /// <see cref="TaskValidationException"/> naming <paramref name="field"/> otherwise.</summary>
    public static EventPriority Parse(string? name, string field = "priority") => name?.ToLowerInvariant() switch
    {
        null => EventPriority.Normal,
        "low" => EventPriority.Low,
        "normal" => EventPriority.Normal,
        "high" => EventPriority.High,
        "critical" => EventPriority.Critical,
        _ => throw new TaskValidationException(field, $"'{Names.Shorten(name)}' is not a priority: use low, normal, high or critical"),
    };
}
