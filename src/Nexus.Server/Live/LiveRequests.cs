using System.Text.Json;
using Nexus.Events;
using Nexus.Live;

namespace Nexus.Server.Live;

/// <summary>Reads a <c>subscribe</c> message: <c>{"type":"subscribe","sub":"s1","namespace":"shop",
/// "channels":["docs:orders", {"channel":"state-prefix:carts/","filter":{…}}],"after":"0-42"}</c>.</summary>
internal static class LiveRequests
{
    public static LiveRequest Parse(string? id, JsonElement m)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64) throw new TaskValidationException("sub", "is required: the subscription's name on this connection (1–64 characters)");
        var ns = m.TryGetProperty("namespace", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        Names.Namespace(ns);
        if (!m.TryGetProperty("channels", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new TaskValidationException("channels", "name at least one channel (docs:{model}[/{id}], state:{key}, state-prefix:{prefix}, events:{pattern})");
        }
        var channels = new List<LiveChannel>();
        var i = 0;
        foreach (var c in list.EnumerateArray())
        {
            var field = $"channels[{i++}]";
            channels.Add(c.ValueKind switch
            {
                JsonValueKind.String => LiveChannel.Parse(c.GetString(), null, field),
                JsonValueKind.Object => LiveChannel.Parse(
                    c.TryGetProperty("channel", out var ch) && ch.ValueKind == JsonValueKind.String ? ch.GetString() : null,
                    c.TryGetProperty("filter", out var f) && f.ValueKind != JsonValueKind.Null ? f.GetRawText() : null, field + ".channel", field + ".filter"),
                _ => throw new TaskValidationException(field, "is a channel text or {\"channel\":…,\"filter\":…}"),
            });
        }
        return new LiveRequest(id, ns!, channels, After(m.TryGetProperty("after", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null));
    }

    public static LogCursor? After(string? text, string field = "after")
    {
        if (string.IsNullOrEmpty(text)) return null;
        return LogCursor.TryParse(text, out var cursor) ? cursor : throw new TaskValidationException(field, $"'{Api.QueryValues.Shorten(text)}' is not a cursor (tx-position, e.g. 0-42) or a position");
    }
}
