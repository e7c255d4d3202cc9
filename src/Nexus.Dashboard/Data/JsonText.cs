using System.Text.Json;

namespace Nexus.Dashboard.Data;

/// <summary>JSON text for display.</summary>
internal static class JsonText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON indented (as text; the page encodes it), or as it is when it does not parse.</summary>
    public static string Indent(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    /// <summary>The trace id of a W3C <c>traceparent</c> (<c>00-traceid-spanid-flags</c>), or null.</summary>
    public static string? TraceId(string? traceContext) =>
        traceContext?.Split('-') is [_, var trace, _, _] && trace.Length == 32 ? trace : null;
}
