using System.Text;

namespace Nexus.State;

/// <summary>
/// The <c>$</c>-topics of Nexus's own changes in the log (docs/realtime.md):
/// <list type="bullet">
/// <item><c>$state.{segments}</c> for a state key: the key split on <c>/</c>, each part encoded
/// (<see cref="Segment"/>); <c>carts/42</c> is <c>$state.carts.42</c>, so <c>$state.carts.&gt;</c> selects every key
/// under <c>carts/</c>.</item>
/// <item><c>$docs.{app}.{model}.{id}</c> for a document: <c>$docs.shop.orders.*</c> selects a model,
/// <c>$docs.shop.orders.o-1</c> one document, <c>$docs.shop.&gt;</c> every model of the app.</item>
/// </list>
/// A topic is at most <see cref="Events.Topic.MaxLength"/> characters: a longer one keeps its leading segments that
/// fit and ends with the segment <c>--</c> (the event's payload always carries the whole key).
/// </summary>
public static class ChangeTopics
{
    /// <summary>The first segment of state changes.</summary>
    public const string StateRoot = "$state";

    /// <summary>The first segment of document changes.</summary>
    public const string DocumentsRoot = "$docs";

    /// <summary>The segment that ends a topic cut to fit.</summary>
    public const string Truncated = "--";

    /// <summary>The topic of a change of a state key.</summary>
    public static string State(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Join(StateRoot, key.Split('/'));
    }

    /// <summary>The topic of a change of a document.</summary>
    public static string Document(string app, string model, string id) => Join(DocumentsRoot, [app, model, id]);

    /// <summary>The pattern that selects every change of a state key prefix at whole segments (<c>carts/</c> →
    /// <c>$state.carts.&gt;</c>); null when the prefix does not end at a <c>/</c> (then only the payload's key tells).</summary>
    public static string? StatePrefixPattern(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return StateRoot + ".>";
        if (!prefix.EndsWith('/')) return null;
        var topic = Join(StateRoot, prefix[..^1].Split('/'));
        return topic.EndsWith("." + Truncated, StringComparison.Ordinal) ? null : topic + ".>";
    }

    /// <summary>One topic segment for any text: letters, digits and <c>_</c> stay; every other character becomes
    /// <c>-</c> and the two upper-case hex digits of each of its UTF-8 bytes (<c>a.b</c> → <c>a-2Eb</c>, <c>-</c> →
    /// <c>-2D</c>); the empty text is <c>-</c>.</summary>
    public static string Segment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return "-";
        var plain = true;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                plain = false;
                break;
            }
        }
        if (plain) return text;
        var sb = new StringBuilder(text.Length + 8);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                sb.Append(c);
                continue;
            }
            var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), bytes)
                : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), bytes);
            for (var b = 0; b < length; b++) sb.Append('-').Append(bytes[b].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Join(string root, IEnumerable<string> parts)
    {
        var sb = new StringBuilder(root);
        foreach (var part in parts)
        {
            var segment = Segment(part);
            if (sb.Length + 1 + segment.Length > Events.Topic.MaxLength - (1 + Truncated.Length))
            {
                return sb.Append('.').Append(Truncated).ToString();
            }
            sb.Append('.').Append(segment);
        }
        return sb.ToString();
    }
}
