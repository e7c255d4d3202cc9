using System.Text.Json;

namespace Nexus.Filters;

/// <summary>
/// The one filter language of Nexus, a MongoDB-style query over JSON documents, used by workflow conditions, event
/// subscriptions and live subscriptions alike (docs/filters.md has the table). <c>{"priority":"high"}</c> matches a
/// document whose <c>priority</c> is <c>"high"</c>; <c>{"size":{"$gt":10,"$lte":20},"tags":{"$in":["a","b"]}}</c>
/// combines operators; keys are ANDed. Paths are dotted (<c>a.b.0.c</c>; a number indexes an array). Parse once,
/// match many times: a parsed filter is immutable and thread-safe.
/// </summary>
public sealed class JsonFilter
{
    /// <summary>Deepest nesting of operators accepted.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most conditions in one filter.</summary>
    public const int MaxNodes = 1_000;

    private readonly FilterNode _root;

    private JsonFilter(FilterNode root, string text)
    {
        _root = root;
        Text = text;
    }

    /// <summary>The filter as JSON text, as given.</summary>
    public string Text { get; }

    /// <summary>A filter that matches every document (<c>{}</c>).</summary>
    public static JsonFilter All { get; } = Parse("{}");

    /// <summary>Parses a filter from JSON text. Throws <see cref="FilterException"/> naming what is wrong.</summary>
    public static JsonFilter Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth * 2 + 4 });
        }
        catch (JsonException ex)
        {
            throw new FilterException("", $"is not valid JSON ({ex.Message})");
        }
        using (document) return Parse(document.RootElement);
    }

    /// <summary>Parses a filter from a JSON object. Throws <see cref="FilterException"/> naming what is wrong.</summary>
    public static JsonFilter Parse(JsonElement filter)
    {
        var root = new FilterParser().ParseFilter(filter, "", 0);
        return new JsonFilter(root, filter.GetRawText());
    }

    /// <summary>True when <paramref name="document"/> matches the filter.</summary>
    public bool Matches(JsonElement document) => _root.Matches(document);

    /// <summary>True when the JSON text <paramref name="documentJson"/> matches the filter.</summary>
    public bool Matches(string documentJson)
    {
        ArgumentNullException.ThrowIfNull(documentJson);
        using var document = JsonDocument.Parse(documentJson);
        return Matches(document.RootElement);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
