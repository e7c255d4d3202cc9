using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>A search inside tasks' args: the value at a dotted path (<c>a.b.0.c</c>; a number indexes an array) equals
/// a JSON scalar. Drivers translate it into SQL (SQLite <c>json_extract</c>, PostgreSQL <c>#&gt;</c>); it is not indexed,
/// so combine it with the indexed filters (queue, state, plugin) on large tables.</summary>
public sealed partial record ArgsMatch
{
    /// <summary>Most path segments.</summary>
    public const int MaxSegments = 10;

    private ArgsMatch(IReadOnlyList<string> segments, JsonValueKind kind, string? text, double? number, string json)
    {
        Segments = segments;
        Kind = kind;
        Text = text;
        Number = number;
        Json = json;
    }

    /// <summary>The path's segments.</summary>
    public IReadOnlyList<string> Segments { get; }
    /// <summary>The value's kind: String, Number, True, False or Null.</summary>
    public JsonValueKind Kind { get; }
    /// <summary>The string value, for <see cref="JsonValueKind.String"/>.</summary>
    public string? Text { get; }
    /// <summary>The number, for <see cref="JsonValueKind.Number"/>.</summary>
    public double? Number { get; }
    /// <summary>The value as JSON text.</summary>
    public string Json { get; }

    /// <summary>The dotted path.</summary>
    public string Path => string.Join('.', Segments);

    /// <summary>Parses a dotted <paramref name="path"/> and a <paramref name="value"/>: a JSON scalar (<c>42</c>,
    /// <c>true</c>, <c>null</c>, <c>"quoted"</c>) is taken as such, anything else as a string. Throws
    /// <see cref="TaskValidationException"/> naming <c>args.path</c> or <c>args.value</c>.</summary>
    public static ArgsMatch Parse(string path, string value)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(value);
        var segments = path.Trim().Split('.');
        if (segments.Length > MaxSegments || segments.Any(s => !Segment().IsMatch(s)))
        {
            throw new TaskValidationException("args.path", $"must be a dotted path of at most {MaxSegments} names or indexes (letters, digits, _ and -), e.g. image.width or items.0.id");
        }
        if (value.Length > 1024) throw new TaskValidationException("args.value", "must be at most 1024 characters");
        try
        {
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.String: return new ArgsMatch(segments, JsonValueKind.String, root.GetString(), null, root.GetRawText());
                case JsonValueKind.Number: return new ArgsMatch(segments, JsonValueKind.Number, null, root.GetDouble(), root.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null: return new ArgsMatch(segments, root.ValueKind, null, null, root.GetRawText());
                default: throw new TaskValidationException("args.value", "must be a JSON scalar (a string, number, true, false or null), not an object or array");
            }
        }
        catch (JsonException)
        {
            return new ArgsMatch(segments, JsonValueKind.String, value, null, JsonSerializer.Serialize(value));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex Segment();
}
