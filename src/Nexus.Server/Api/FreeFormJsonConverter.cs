using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Nexus.Server.Api;

/// <summary>
/// Reads the free-form JSON of request bodies (task args, a worker's args schema, a result) as a
/// <see cref="JsonElement"/> and refuses text in it that no store can hold: bytes that are not valid UTF-8, and the
/// escapes <c>\u0000</c> and unpaired surrogates (<c>\ud800</c>), which PostgreSQL's jsonb rejects. The JSON reader
/// checks only the structure, so such text would otherwise be accepted here and fail later — on its first conversion
/// to a string or in the store's insert — as a 500 instead of a 400 naming the field.
/// </summary>
internal sealed class FreeFormJsonConverter : JsonConverter<JsonElement>
{
    private const string NotUtf8 = "contains text that is not valid UTF-8";
    private const string Unstorable = "contains \\u0000 or an unpaired surrogate escape (such as \\ud800), which Nexus does not store";

    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var element = JsonElement.ParseValue(ref reader);
        // Fast checks on the raw bytes; only a value that fails one is walked to name the place at fault.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        if (!Utf8.IsValid(raw) || raw.IndexOf("\\u"u8) >= 0)
        {
            if (FindBad(element, "") is { } bad) throw new UnstorableJsonTextException(bad.Path, bad.Problem);
        }
        return element;
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        value.WriteTo(writer);
    }

    /// <summary>The path (relative to the value, e.g. <c>.filename</c> or <c>[2]</c>) and problem of the first string or
    /// property name no store can hold; a bad property name is reported as its object.</summary>
    private static (string Path, string Problem)? FindBad(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (Check(() => property.Name) is { } problem) return (path, problem);
                    if (FindBad(property.Value, $"{path}.{property.Name}") is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindBad(item, $"{path}[{i++}]") is { } found) return found;
                }
                return null;
            case JsonValueKind.String:
                return Check(element.GetString) is { } bad ? (path, bad) : null;
            default:
                return null;
        }
    }

    private static string? Check(Func<string?> read)
    {
        try
        {
            return read()?.Contains('\0', StringComparison.Ordinal) == true ? Unstorable : null;
        }
        catch (InvalidOperationException ex)
        {
            // Bytes that are not UTF-8 fail transcoding; an unpaired surrogate escape fails unescaping.
            return ex.InnerException is System.Text.DecoderFallbackException ? NotUtf8 : Unstorable;
        }
    }
}

/// <summary>Free-form JSON holding text no store can hold; <see cref="RelativePath"/> is where inside the value.</summary>
internal sealed class UnstorableJsonTextException(string relativePath, string problem) : JsonException(problem)
{
    /// <summary>Where inside the value, e.g. <c>.filename</c> or <c>[2]</c>; empty for the value itself.</summary>
    public string RelativePath { get; } = relativePath;

    /// <summary>What is wrong with the text.</summary>
    public string Problem { get; } = problem;
}
