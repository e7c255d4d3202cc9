using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Nexus.Events;

/// <summary>An event as one JSON document, the shape filters, templates, consumers and handlers see:
/// <c>{"namespace","topic","position","priority","key","time","headers","payload"}</c>.</summary>
public static class EventDocument
{
    /// <summary>The event as JSON text.</summary>
    public static string Json(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = new ArrayBufferWriter<byte>(256 + e.PayloadJson.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("namespace", e.Namespace);
            w.WriteString("topic", e.Topic);
            w.WriteNumber("position", e.Position);
            w.WriteString("priority", e.Priority.ToName());
            if (e.Key is null) w.WriteNull("key");
            else w.WriteString("key", e.Key);
            w.WriteString("time", e.Time);
            w.WriteStartObject("headers");
            foreach (var (name, value) in e.Headers) w.WriteString(name, value);
            w.WriteEndObject();
            w.WritePropertyName("payload");
            w.WriteRawValue(e.PayloadJson, skipInputValidation: true);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads an event document back (as consumers and handlers receive it).</summary>
    public static EventRecord Parse(JsonElement d)
    {
        var position = d.GetProperty("position").GetInt64();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (d.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in h.EnumerateObject()) headers[p.Name] = p.Value.GetString() ?? "";
        }
        return new EventRecord
        {
            Position = position,
            Cursor = new LogCursor(0, position),
            Namespace = d.GetProperty("namespace").GetString()!,
            Topic = d.GetProperty("topic").GetString()!,
            Priority = EventPriorities.Parse(d.GetProperty("priority").GetString()),
            Key = d.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null,
            Time = d.GetProperty("time").GetDateTimeOffset(),
            Headers = headers,
            PayloadJson = d.GetProperty("payload").GetRawText(),
        };
    }
}
