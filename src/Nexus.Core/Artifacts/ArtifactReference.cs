using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Artifacts;

/// <summary>
/// The claim check: a task result too large to keep inline is stored as an artifact and the task's result becomes
/// <c>{"$artifact": "tasks/12/output.json", "bytes": 300000}</c>. A template that reads into it
/// (<c>${steps.x.output.rows}</c>) keeps the reference and adds <c>"path": "rows"</c>; the engine swaps every reference
/// in a step's args for the value (at that path) just before the attempt runs, and the API does the same when it shows
/// a result.
/// </summary>
public static class ArtifactReference
{
    /// <summary>The member that marks a reference.</summary>
    public const string Marker = "$artifact";

    /// <summary>The reference JSON of an artifact of <paramref name="bytes"/>.</summary>
    public static string Create(string name, long bytes) =>
        new JsonObject { [Marker] = name, ["bytes"] = bytes }.ToJsonString();

    /// <summary>The artifact name when <paramref name="node"/> is a reference, else null.</summary>
    public static string? NameOf(JsonNode? node) =>
        node is JsonObject o && o.TryGetPropertyValue(Marker, out var n) && n is JsonValue v && v.TryGetValue<string>(out var name) ? name : null;

    /// <summary>Whether the JSON text may hold a reference (a cheap test before parsing).</summary>
    public static bool MayContain(string? json) => json is not null && json.Contains("\"$artifact\"", StringComparison.Ordinal);

    /// <summary>Whether the JSON text is itself one reference.</summary>
    public static bool IsReference(string? json)
    {
        if (!MayContain(json)) return false;
        try
        {
            return NameOf(JsonNode.Parse(json!)) is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A reference that points into a part of the value (from a template that reads past the reference).</summary>
    public static JsonObject WithPath(JsonObject reference, string path)
    {
        var copy = (JsonObject)reference.DeepClone();
        var before = copy.TryGetPropertyValue("path", out var p) && p is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        copy["path"] = string.IsNullOrEmpty(before) ? path : before + "." + path;
        return copy;
    }

    /// <summary>The path a reference reads, or null for the whole value.</summary>
    public static string? PathOf(JsonObject reference) =>
        reference.TryGetPropertyValue("path", out var p) && p is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
