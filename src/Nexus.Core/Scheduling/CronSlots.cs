using Cronos;

namespace Nexus.Scheduling;

/// <summary>
/// A cron expression in a time zone (Cronos): five fields, or six with seconds first, or a macro (<c>@hourly</c>).
/// Slots are instants; Cronos handles daylight saving: a time in a skipped hour fires once at the moment the clocks
/// jump, and a time in a repeated hour fires once (at its first occurrence) unless the expression steps within the
/// hour (<c>*/30 * * * *</c>), which fires in both.
/// </summary>
public sealed class CronSlots
{
    private readonly CronExpression _expression;

    private CronSlots(CronExpression expression, TimeZoneInfo zone, string text)
    {
        _expression = expression;
        Zone = zone;
        Text = text;
    }

    /// <summary>The expression as given.</summary>
    public string Text { get; }

    /// <summary>The time zone.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <paramref name="cron"/> in the IANA (or Windows) zone <paramref name="timeZone"/>; throws
    /// <see cref="TaskValidationException"/> naming <c>cron</c> or <c>timeZone</c>.</summary>
    public static CronSlots Parse(string? cron, string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(cron)) throw new TaskValidationException("cron", "is required (e.g. \"0 * * * *\" or \"*/10 * * * * *\" with seconds)");
        var text = cron.Trim();
        if (text.Length > 200) throw new TaskValidationException("cron", "must be at most 200 characters");
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = !text.StartsWith('@') && fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (!text.StartsWith('@') && fields is not (5 or 6))
        {
            throw new TaskValidationException("cron", $"must have 5 fields (minute hour day month weekday) or 6 with seconds first (has {fields})");
        }
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(text, format);
        }
        catch (CronFormatException ex)
        {
            throw new TaskValidationException("cron", $"is not a valid cron expression: {ex.Message}");
        }
        return new CronSlots(expression, FindZone(timeZone), text);
    }

    /// <summary>Finds a time zone by IANA or Windows id; throws <see cref="TaskValidationException"/> naming <c>timeZone</c>.</summary>
    public static TimeZoneInfo FindZone(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone) || timeZone == "UTC") return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new TaskValidationException("timeZone", $"unknown time zone '{timeZone}' (use an IANA name such as Europe/Berlin)");
        }
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after.ToUniversalTime(), Zone, inclusive: false);

    /// <summary>The slots in (<paramref name="after"/>, <paramref name="until"/>], oldest first, at most <paramref name="max"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset until, int max)
    {
        var list = new List<DateTimeOffset>();
        var cursor = after;
        while (list.Count < max && Next(cursor) is { } next && next <= until)
        {
            list.Add(next);
            cursor = next;
        }
        return list;
    }

    /// <summary>The next <paramref name="count"/> slots after <paramref name="after"/>.</summary>
    public IReadOnlyList<DateTimeOffset> Preview(DateTimeOffset after, int count) => Between(after, DateTimeOffset.MaxValue, count);

    /// <summary>Counts the slots in (<paramref name="after"/>, <paramref name="until"/>], stopping at <paramref name="cap"/>.</summary>
    public int Count(DateTimeOffset after, DateTimeOffset until, int cap) => Between(after, until, cap).Count;
}
