using System.Text.Json.Nodes;

namespace Nexus.Documents;

/// <summary>The slim RFC 6902 patch from one document version to the next: objects are compared member by member
/// (<c>add</c>, <c>remove</c>, <c>replace</c> of what changed); any other value that differs, arrays included, is
/// replaced whole. Applying it (<see cref="JsonPatch.Apply"/>) to the first gives the second.</summary>
public static class JsonDiff
{
    /// <summary>The patch from <paramref name="beforeJson"/> to <paramref name="afterJson"/>, as JSON text.</summary>
    public static string Diff(string beforeJson, string afterJson)
    {
        var ops = new JsonArray();
        Walk(JsonNode.Parse(beforeJson), JsonNode.Parse(afterJson), "", ops);
        return ops.ToJsonString();
    }

    private static void Walk(JsonNode? before, JsonNode? after, string path, JsonArray ops)
    {
        if (before is JsonObject a && after is JsonObject b)
        {
            foreach (var (name, value) in a)
            {
                if (!b.ContainsKey(name)) ops.Add(new JsonObject { ["op"] = "remove", ["path"] = path + "/" + Escape(name) });
            }
            foreach (var (name, value) in b)
            {
                var at = path + "/" + Escape(name);
                if (!a.TryGetPropertyValue(name, out var old)) ops.Add(new JsonObject { ["op"] = "add", ["path"] = at, ["value"] = value?.DeepClone() });
                else Walk(old, value, at, ops);
            }
            return;
        }
        if (!JsonNode.DeepEquals(before, after))
        {
            ops.Add(new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = after?.DeepClone() });
        }
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
