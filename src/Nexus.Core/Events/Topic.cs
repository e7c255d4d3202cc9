namespace Nexus.Events;

/// <summary>
/// Topics are dot-separated segments (<c>orders.eu.created</c>), the NATS subject grammar: 1–255 characters, each
/// segment 1 or more of letters, digits, <c>_</c> and <c>-</c>. A topic that starts with <c>$</c> (<c>$state.cart</c>)
/// is reserved for Nexus's own events: users may subscribe to it but never emit it.
/// </summary>
public static class Topic
{
    /// <summary>The longest topic or pattern.</summary>
    public const int MaxLength = 255;

    /// <summary>True for a valid topic; <paramref name="allowReserved"/> admits <c>$</c>-topics (Nexus's own writers).</summary>
    public static bool IsValid(string? topic, bool allowReserved = false) => Check(topic, allowReserved, pattern: false) is null;

    /// <summary>True when the topic is reserved for Nexus (starts with <c>$</c>).</summary>
    public static bool IsReserved(string topic) => topic.StartsWith('$');

    /// <summary>Throws <see cref="TaskValidationException"/> naming <paramref name="field"/> unless a valid topic that
    /// a user may emit (not reserved, unless <paramref name="allowReserved"/>).</summary>
    public static string Validate(string? topic, string field = "topic", bool allowReserved = false) =>
        Check(topic, allowReserved, pattern: false) is { } problem ? throw new TaskValidationException(field, problem) : topic!;

    /// <summary>Why <paramref name="text"/> is not a topic (or a pattern), or null when it is one.</summary>
    internal static string? Check(string? text, bool allowReserved, bool pattern)
    {
        var what = pattern ? "pattern" : "topic";
        if (string.IsNullOrEmpty(text)) return $"a {what} is required";
        if (text.Length > MaxLength) return $"a {what} has at most {MaxLength} characters (was {text.Length})";
        var body = text;
        if (text[0] == '$')
        {
            if (!allowReserved && !pattern) return $"'{Names.Shorten(text)}': topics starting with '$' are reserved for Nexus's own events";
            body = text[1..];
            if (pattern && (body == "*" || body == ">" || body.StartsWith("*.", StringComparison.Ordinal) || body.StartsWith(">.", StringComparison.Ordinal)))
            {
                return $"'{Names.Shorten(text)}': after '$' the first segment must be a name, not a wildcard";
            }
        }
        var segments = body.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (s.Length == 0) return $"'{Names.Shorten(text)}' has an empty segment (segments are separated by single dots)";
            if (pattern && s == "*") continue;
            if (pattern && s == ">")
            {
                if (i != segments.Length - 1) return $"'{Names.Shorten(text)}': '>' may only be the last segment";
                continue;
            }
            foreach (var c in s)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                {
                    return c is '*' or '>'
                        ? $"'{Names.Shorten(text)}': '{c}' must be a whole segment" + (pattern ? "" : " (wildcards belong in patterns, not topics)")
                        : $"'{Names.Shorten(text)}' has the character '{c}': segments use letters, digits, '_' and '-'";
                }
            }
        }
        return null;
    }
}
