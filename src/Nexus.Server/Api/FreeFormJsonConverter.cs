using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Nexus.Server.Api;

/// <summary>
/// Reads the free-form JSON of request bodies (task args, a worker's args schema, a result) as a
/// <see cref="JsonElement"/> and refuses one holding text that is not valid UTF-8. The JSON reader checks only the
/// structure, so such text would otherwise be accepted here and fail later, on its first conversion to a string (a
/// 500 instead of a 400 naming the field).
/// </summary>
internal sealed class FreeFormJsonConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var element = JsonElement.ParseValue(ref reader);
        // The fast check on the raw bytes; only a value that fails it is walked to name the place at fault.
        if (!Utf8.IsValid(JsonMarshal.GetRawUtf8Value(element))) throw new InvalidUtf8JsonException(FindInvalid(element, "") ?? "");
        return element;
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        value.WriteTo(writer);
    }

    /// <summary>The path (relative to the value, e.g. <c>.filename</c> or <c>[2]</c>) of the first string or
    /// property name that is not valid UTF-8; an invalid property name is reported as its object.</summary>
    private static string? FindInvalid(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsValidText(() => property.Name)) return path;
                    if (FindInvalid(property.Value, $"{path}.{property.Name}") is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalid(item, $"{path}[{i++}]") is { } found) return found;
                }
                return null;
            case JsonValueKind.String:
                return IsValidText(element.GetString) ? null : path;
            default:
                return null;
        }
    }

    private static bool IsValidText(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>Free-form JSON holding text that is not valid UTF-8; <see cref="RelativePath"/> is where inside the value.</summary>
internal sealed class InvalidUtf8JsonException(string relativePath) : JsonException("The value contains text that is not valid UTF-8.")
{
    /// <summary>Where inside the value, e.g. <c>.filename</c> or <c>[2]</c>; empty for the value itself.</summary>
    public string RelativePath { get; } = relativePath;
}
