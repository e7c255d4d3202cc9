using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Documents;

/// <summary>
/// RFC 6902 JSON Patch over <see cref="JsonNode"/>: <c>add</c>, <c>remove</c>, <c>replace</c>, <c>move</c>, <c>copy</c>
/// and <c>test</c>, with RFC 6901 pointers (<c>~0</c>, <c>~1</c>, <c>-</c> for the end of an array). A patch applies
/// whole or not at all: it works on a copy, and any failing operation (a <c>test</c> that does not hold, a path that is
/// not there) throws <see cref="JsonPatchException"/> naming the operation by index. (Microsoft.AspNetCore.JsonPatch.
/// SystemTextJson refuses to <c>copy</c> a primitive value of a <c>JsonNode</c> document, so Nexus applies patches itself.)
/// </summary>
public static class JsonPatch
{
    /// <summary>Most operations in one patch.</summary>
    public const int MaxOperations = 1000;

    /// <summary>Applies <paramref name="patchJson"/> (a JSON array of operations) to <paramref name="documentJson"/> and
    /// returns the patched document's JSON.</summary>
    public static string Apply(string documentJson, string patchJson)
    {
        var document = JsonNode.Parse(documentJson);
        var operations = Parse(patchJson);
        for (var i = 0; i < operations.Count; i++)
        {
            try
            {
                document = ApplyOne(document, operations[i]);
            }
            catch (JsonPatchException ex) when (ex.Index < 0)
            {
                throw new JsonPatchException(i, ex.Problem, ex.Code == "invalid-patch");
            }
        }
        return document?.ToJsonString() ?? "null";
    }

    private sealed record Operation(string Op, string[] Path, string[]? From, JsonNode? Value, bool HasValue);

    private static List<Operation> Parse(string patchJson)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(patchJson);
        }
        catch (JsonException ex)
        {
            throw new JsonPatchException(-1, $"the patch is not valid JSON ({ex.Message})", invalid: true);
        }
        if (root is not JsonArray array) throw new JsonPatchException(-1, "a patch is a JSON array of operations", invalid: true);
        if (array.Count > MaxOperations) throw new JsonPatchException(-1, $"a patch has at most {MaxOperations} operations", invalid: true);
        var list = new List<Operation>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject o) throw new JsonPatchException(i, "must be an object", invalid: true);
            var op = o["op"] is JsonValue v && v.TryGetValue<string>(out var name) ? name : throw new JsonPatchException(i, "needs an 'op'", invalid: true);
            if (op is not ("add" or "remove" or "replace" or "move" or "copy" or "test")) throw new JsonPatchException(i, $"unknown op '{op}'; use add, remove, replace, move, copy or test", invalid: true);
            var path = Pointer(o, "path", i) ?? throw new JsonPatchException(i, "needs a 'path'", invalid: true);
            var from = op is "move" or "copy" ? Pointer(o, "from", i) ?? throw new JsonPatchException(i, $"'{op}' needs a 'from'", invalid: true) : null;
            var hasValue = o.ContainsKey("value");
            if (op is "add" or "replace" or "test" && !hasValue) throw new JsonPatchException(i, $"'{op}' needs a 'value'", invalid: true);
            list.Add(new Operation(op, path, from, o["value"]?.DeepClone(), hasValue));
        }
        return list;
    }

    private static string[]? Pointer(JsonObject o, string name, int index)
    {
        if (!o.ContainsKey(name)) return null;
        if (o[name] is not JsonValue v || !v.TryGetValue<string>(out var text)) throw new JsonPatchException(index, $"'{name}' must be a string", invalid: true);
        if (text.Length == 0) return [];
        if (text[0] != '/') throw new JsonPatchException(index, $"'{name}' must be empty or start with '/' (was '{text}')", invalid: true);
        return [.. text[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? ApplyOne(JsonNode? document, Operation op)
    {
        switch (op.Op)
        {
            case "test":
                var actual = Get(document, op.Path);
                if (!JsonNode.DeepEquals(actual, op.Value)) throw new JsonPatchException(-1, $"test failed at '{Show(op.Path)}': the value there is {actual?.ToJsonString() ?? "null"}");
                return document;
            case "remove":
                return Remove(document, op.Path);
            case "add":
                return Add(document, op.Path, op.Value?.DeepClone());
            case "replace":
                return Replace(document, op.Path, op.Value?.DeepClone());
            case "copy":
                return Add(document, op.Path, Get(document, op.From!)?.DeepClone());
            default: // move
                if (op.Path.Length > op.From!.Length && op.Path.Take(op.From.Length).SequenceEqual(op.From, StringComparer.Ordinal))
                {
                    throw new JsonPatchException(-1, $"cannot move '{Show(op.From)}' into its own child '{Show(op.Path)}'");
                }
                var value = Get(document, op.From)?.DeepClone();
                return Add(Remove(document, op.From), op.Path, value);
        }
    }

    private static JsonNode? Get(JsonNode? document, string[] path)
    {
        var node = document;
        for (var i = 0; i < path.Length; i++)
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(path[i], out var child) => child,
                JsonArray a when Index(path[i], a.Count) is { } index => a[index],
                _ => throw new JsonPatchException(-1, $"'{Show(path[..(i + 1)])}' does not exist"),
            };
        }
        return node;
    }

    private static JsonNode? Add(JsonNode? document, string[] path, JsonNode? value)
    {
        if (path.Length == 0) return value;
        var parent = Get(document, path[..^1]);
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                var index = last == "-" ? a.Count : Index(last, a.Count + 1)
                    ?? throw new JsonPatchException(-1, $"'{Show(path)}': '{last}' is not an index of an array of {a.Count}");
                a.Insert(index, value);
                break;
            default:
                throw new JsonPatchException(-1, $"'{Show(path[..^1])}' is not an object or an array");
        }
        return document;
    }

    /// <summary>Replaces a value where it is (an object keeps its key order).</summary>
    private static JsonNode? Replace(JsonNode? document, string[] path, JsonNode? value)
    {
        if (path.Length == 0) return value;
        Get(document, path); // must exist
        switch (Get(document, path[..^1]))
        {
            case JsonObject o:
                o[path[^1]] = value;
                break;
            case JsonArray a:
                a[Index(path[^1], a.Count)!.Value] = value;
                break;
        }
        return document;
    }

    private static JsonNode? Remove(JsonNode? document, string[] path)
    {
        if (path.Length == 0) return null;
        var parent = Get(document, path[..^1]);
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when Index(last, a.Count) is { } index:
                a.RemoveAt(index);
                break;
            default:
                throw new JsonPatchException(-1, $"'{Show(path)}' does not exist");
        }
        return document;
    }

    /// <summary>An array index as RFC 6901 writes it (digits, no leading zero) below <paramref name="limit"/>.</summary>
    private static int? Index(string segment, int limit)
    {
        if (segment.Length == 0 || (segment.Length > 1 && segment[0] == '0') || !segment.All(char.IsAsciiDigit)) return null;
        if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return null;
        return index < limit ? index : null;
    }

    private static string Show(string[] path) => "/" + string.Join('/', path.Select(s => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
}

/// <summary>A patch that cannot be applied; nothing of it was applied. <c>invalid-patch</c>: it is not a well-formed
/// patch; <c>patch-failed</c>: an operation did not hold on this document (a failed <c>test</c>, a missing path).</summary>
public sealed class JsonPatchException : NexusException
{
    /// <summary>Creates it; <paramref name="index"/> is the operation at fault, or negative for the patch as a whole.</summary>
    public JsonPatchException(int index, string problem, bool invalid = false)
        : base(invalid ? "invalid-patch" : "patch-failed", index < 0 ? $"patch: {problem}" : $"patch[{index}]: {problem}")
    {
        Index = index;
        Problem = problem;
    }

    /// <summary>The operation at fault, or negative for the patch as a whole.</summary>
    public int Index { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    /// <summary>The field a request would name: <c>patch[2]</c> or <c>patch</c>.</summary>
    public string Field => Index < 0 ? "patch" : $"patch[{Index}]";
}
