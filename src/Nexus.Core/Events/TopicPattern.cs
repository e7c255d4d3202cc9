namespace Nexus.Events;

/// <summary>
/// A subscription's topic pattern, the NATS grammar: <c>*</c> matches exactly one segment, <c>&gt;</c> (last only)
/// matches one or more remaining segments; any other segment matches itself. <c>orders.*</c> matches
/// <c>orders.created</c> but not <c>orders.eu.created</c>; <c>orders.&gt;</c> matches both but not <c>orders</c>.
/// A pattern matches a reserved (<c>$</c>) topic only when it starts with <c>$</c> itself, so <c>&gt;</c> never
/// delivers Nexus's own events by surprise.
/// </summary>
public sealed class TopicPattern
{
    private readonly string[] _segments;

    private TopicPattern(string text)
    {
        Text = text;
        _segments = text.Split('.');
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>True when the pattern has no wildcard (it names one topic).</summary>
    public bool IsLiteral => !_segments.Any(s => s is "*" or ">");

    /// <summary>Parses a pattern; throws <see cref="TaskValidationException"/> naming <paramref name="field"/>.</summary>
    public static TopicPattern Parse(string? text, string field = "pattern") =>
        Topic.Check(text, allowReserved: true, pattern: true) is { } problem ? throw new TaskValidationException(field, problem) : new TopicPattern(text!);

    /// <summary>True when the pattern is valid.</summary>
    public static bool IsValid(string? text) => Topic.Check(text, allowReserved: true, pattern: true) is null;

    /// <summary>True when <paramref name="topic"/> matches.</summary>
    public bool Matches(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (Topic.IsReserved(topic) != Text.StartsWith('$')) return false;
        var t = topic.Split('.');
        for (var i = 0; i < _segments.Length; i++)
        {
            var p = _segments[i];
            if (p == ">") return t.Length > i;
            if (i >= t.Length) return false;
            if (p != "*" && !string.Equals(p, t[i], StringComparison.Ordinal)) return false;
        }
        return t.Length == _segments.Length;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
