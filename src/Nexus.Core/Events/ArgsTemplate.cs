using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nexus.Events;

/// <summary>
/// Args templated from an event. The template is JSON; a string that is exactly <c>"{{path}}"</c> becomes the value at
/// that dotted path of the event document (<see cref="EventDocument"/>; <c>null</c> when absent), and <c>{{path}}</c>
/// inside a longer string is replaced by the value's text. <c>{"id":"{{payload.order.id}}","note":"order {{key}}"}</c>.
/// </summary>
public static partial class ArgsTemplate
{
    /// <summary>Checks a template; throws <see cref="TaskValidationException"/> naming <paramref name="field"/>.</summary>
    public static void Validate(string template, string field = "argsTemplate")
    {
        try
        {
            using var doc = JsonDocument.Parse(template);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new TaskValidationException(field, "must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException(field, $"is not valid JSON ({ex.Message})");
        }
    }

    /// <summary>Renders <paramref name="template"/> (null: the payload if it is an object, else <c>{"payload": …}</c>)
    /// against the event document.</summary>
    public static string Render(string? template, string eventJson)
    {
        using var doc = JsonDocument.Parse(eventJson);
        var root = doc.RootElement;
        if (template is null)
        {
            var payload = root.GetProperty("payload");
            return payload.ValueKind == JsonValueKind.Object ? payload.GetRawText() : $"{{\"payload\":{payload.GetRawText()}}}";
        }
        using var t = JsonDocument.Parse(template);
        var buffer = new ArrayBufferWriter<byte>(template.Length * 2);
        using (var w = new Utf8JsonWriter(buffer)) Write(w, t.RootElement, root);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter w, JsonElement node, JsonElement e)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in node.EnumerateObject())
                {
                    w.WritePropertyName(p.Name);
                    Write(w, p.Value, e);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in node.EnumerateArray()) Write(w, item, e);
                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                var text = node.GetString()!;
                var whole = Whole().Match(text);
                if (whole.Success)
                {
                    if (Resolve(e, whole.Groups[1].Value) is { } value) value.WriteTo(w);
                    else w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(Inline().Replace(text, m => Resolve(e, m.Groups[1].Value) is { } v
                        ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()
                        : ""));
                }
                break;
            default:
                node.WriteTo(w);
                break;
        }
    }

    private static JsonElement? Resolve(JsonElement e, string path)
    {
        var current = e;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var next)) current = next;
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i < current.GetArrayLength()) current = current[i];
            else return null;
        }
        return current;
    }

    [GeneratedRegex(@"^\{\{\s*([A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)\s*\}\}$")]
    private static partial Regex Whole();

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)\s*\}\}")]
    private static partial Regex Inline();
}
