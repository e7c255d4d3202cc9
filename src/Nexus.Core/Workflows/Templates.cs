using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nexus.Workflows;

/// <summary>
/// <c>${path}</c> templates in step args: a dotted path into the run's scope document
/// <c>{"input": …, "steps": {"&lt;id&gt;": {"output": …}}, "item": …, "index": n, "output": …}</c>, with array indexes
/// as segments (<c>${steps.list.output.files.0}</c>). A string that is exactly one template takes the value itself
/// (object, array, number…); a template inside a longer string is replaced by the value's text.
/// </summary>
public static partial class Templates
{
    /// <summary>Every template expression (the text between <c>${</c> and <c>}</c>) in a JSON value's strings, with
    /// the JSON path of the string it is in (relative to <paramref name="path"/>).</summary>
    public static IEnumerable<(string Path, string Expression)> Find(JsonElement? value, string path)
    {
        if (value is not { } v) yield break;
        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                foreach (var e in Find(v.GetString()!)) yield return (path, e);
                break;
            case JsonValueKind.Object:
                foreach (var p in v.EnumerateObject())
                {
                    foreach (var r in Find(p.Value, $"{path}.{p.Name}")) yield return r;
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in v.EnumerateArray())
                {
                    foreach (var r in Find(item, $"{path}[{i++}]")) yield return r;
                }
                break;
        }
    }

    /// <summary>The template expressions in one string.</summary>
    public static IEnumerable<string> Find(string text) =>
        TemplatePattern().Matches(text).Select(m => m.Groups[1].Value.Trim());

    /// <summary>Resolves every template in <paramref name="value"/> against <paramref name="scope"/>. Throws
    /// <see cref="TemplateException"/> naming the expression that does not resolve.</summary>
    public static JsonNode? Resolve(JsonElement? value, JsonObject scope) => value is { } v ? Resolve(v, scope) : null;

    private static JsonNode? Resolve(JsonElement value, JsonObject scope)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return ResolveString(value.GetString()!, scope);
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var p in value.EnumerateObject()) obj[p.Name] = Resolve(p.Value, scope);
                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in value.EnumerateArray()) array.Add(Resolve(item, scope));
                return array;
            default:
                return JsonNode.Parse(value.GetRawText());
        }
    }

    /// <summary>Resolves the templates of one string: a lone template keeps the value's type.</summary>
    public static JsonNode? ResolveString(string text, JsonObject scope)
    {
        var matches = TemplatePattern().Matches(text);
        if (matches.Count == 0) return JsonValue.Create(text);
        if (matches.Count == 1 && matches[0].Length == text.Length) return Lookup(matches[0].Groups[1].Value.Trim(), scope)?.DeepClone();
        var sb = new StringBuilder();
        var at = 0;
        foreach (Match m in matches)
        {
            sb.Append(text, at, m.Index - at);
            var node = Lookup(m.Groups[1].Value.Trim(), scope);
            sb.Append(node switch
            {
                null => "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => node.ToJsonString(),
            });
            at = m.Index + m.Length;
        }
        sb.Append(text, at, text.Length - at);
        return JsonValue.Create(sb.ToString());
    }

    /// <summary>Follows a dotted path through the scope. A missing member or index fails naming where it stopped.</summary>
    public static JsonNode? Lookup(string expression, JsonObject scope)
    {
        JsonNode? node = scope;
        var walked = "";
        var segments = expression.Split('.');
        for (var at = 0; at < segments.Length; at++)
        {
            var segment = segments[at];
            // A claim-check reference (an output stored as an artifact): the rest of the path is read from the artifact
            // when the step's attempt starts (Artifacts.ClaimCheck), so the reference carries it.
            if (node is JsonObject stored && Artifacts.ArtifactReference.NameOf(stored) is not null)
            {
                return Artifacts.ArtifactReference.WithPath(stored, string.Join('.', segments[at..]));
            }
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(segment, out var child) => child,
                JsonArray a when int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw new TemplateException(expression, walked.Length == 0
                    ? $"'{segment}' is not in scope (use input, steps, run, item, index or output)"
                    : $"{walked} has no '{segment}'{(node is null ? " (it is null)" : "")}"),
            };
            walked = walked.Length == 0 ? segment : $"{walked}.{segment}";
        }
        return node;
    }

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex TemplatePattern();
}

/// <summary>A template that does not resolve against the run's values.</summary>
public sealed class TemplateException(string expression, string problem)
    : NexusException("template", $"${{{expression}}}: {problem}")
{
    /// <summary>The expression, without <c>${ }</c>.</summary>
    public string Expression { get; } = expression;
}
