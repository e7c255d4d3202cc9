using System.Buffers;
using System.Text;
using System.Text.Json;
using Nexus.Events;
using Nexus.Live;

namespace Nexus.Server.Live;

/// <summary>The server's messages of the live protocol (docs/realtime.md), as JSON text: the same on WebSocket and SSE.</summary>
internal static class LiveMessages
{
    private static readonly byte[] ChangeHead = "{\"type\":\"change\",\"sub\":"u8.ToArray();

    /// <summary>One subscriber's <c>change</c> message as UTF-8: its <c>sub</c> and matched <c>channels</c> around the
    /// parts every subscriber of the change shares (<see cref="ChangeParts"/>, formatted once per change).</summary>
    public static byte[] Change(LiveDelivery d) => Change(d, ChangeParts.Of(d.Change, d.Namespace));

    /// <summary>As <see cref="Change(LiveDelivery)"/> with the change's parts at hand.</summary>
    public static byte[] Change(LiveDelivery d, ChangeParts parts)
    {
        var sub = JsonEncodedText.Encode(d.SubscriptionId).EncodedUtf8Bytes;
        var channels = new JsonEncodedText[d.Channels.Count];
        var length = ChangeHead.Length + sub.Length + 2 + parts.Middle.Length + parts.Tail.Length + Math.Max(0, channels.Length - 1);
        for (var i = 0; i < channels.Length; i++)
        {
            channels[i] = JsonEncodedText.Encode(d.Channels[i]);
            length += channels[i].EncodedUtf8Bytes.Length + 2;
        }
        var message = new byte[length];
        var span = message.AsSpan();
        Put(ref span, ChangeHead);
        PutString(ref span, sub);
        Put(ref span, parts.Middle);
        for (var i = 0; i < channels.Length; i++)
        {
            if (i > 0) Put(ref span, ","u8);
            PutString(ref span, channels[i].EncodedUtf8Bytes);
        }
        Put(ref span, parts.Tail);
        return message;
    }

    /// <summary>What a change is, after its <c>time</c>: the properties of its kind.</summary>
    public static void WriteBody(Utf8JsonWriter w, LiveChange c)
    {
        switch (c.Kind)
        {
            case LiveKind.State:
                w.WriteString("kind", "state");
                w.WriteString("op", c.Op);
                w.WriteString("key", c.Key);
                w.WriteNumber("version", c.Version);
                if (c.ValueJson is not null) Raw(w, "value", c.ValueJson);
                if (c.Expired) w.WriteBoolean("expired", true);
                break;
            case LiveKind.Document:
                w.WriteString("kind", "document");
                w.WriteString("op", c.Op);
                w.WriteString("model", c.Model);
                w.WriteString("id", c.Id);
                w.WriteNumber("version", c.Version);
                // Created: the whole document; updated: the slim patch only; deleted: nothing more.
                if (c.Op == "created" && c.ValueJson is not null) Raw(w, "document", c.ValueJson);
                if (c.Op == "updated" && c.PatchJson is not null) Raw(w, "patch", c.PatchJson);
                break;
            default:
                w.WriteString("kind", "event");
                w.WriteString("topic", c.Event.Topic);
                if (c.Event.Key is not null) w.WriteString("key", c.Event.Key);
                Raw(w, "payload", c.Event.PayloadJson);
                break;
        }
    }

    private static void Put(ref Span<byte> span, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span);
        span = span[bytes.Length..];
    }

    private static void PutString(ref Span<byte> span, ReadOnlySpan<byte> encoded)
    {
        Put(ref span, "\""u8);
        Put(ref span, encoded);
        Put(ref span, "\""u8);
    }

    // The change's own "id" names the document; the subscription is "sub" — one name per thing.
    public static string Welcome(string connection, string device, int bufferSize) => Write(w =>
    {
        w.WriteString("type", "welcome");
        w.WriteString("connection", connection);
        w.WriteString("device", device);
        w.WriteNumber("bufferSize", bufferSize);
    });

    public static string Subscribed(string id, string ns, LogCursor cursor) => Write(w =>
    {
        w.WriteString("type", "subscribed");
        w.WriteString("sub", id);
        w.WriteString("namespace", ns);
        w.WriteString("cursor", cursor.ToString());
    });

    public static string Unsubscribed(string id) => Write(w =>
    {
        w.WriteString("type", "unsubscribed");
        w.WriteString("sub", id);
    });

    public static string Resync(string id, string ns, LogCompactedException ex, LogCursor head) => Write(w =>
    {
        w.WriteString("type", "resync");
        w.WriteString("sub", id);
        w.WriteString("namespace", ns);
        w.WriteString("code", ex.Code);
        w.WriteString("horizon", ex.Horizon.ToString());
        w.WriteString("head", head.ToString());
        w.WriteString("message", ex.Message);
    });

    public static string Error(string? id, string code, string message, string? field = null) => Write(w =>
    {
        w.WriteString("type", "error");
        if (id is not null) w.WriteString("sub", id);
        w.WriteString("code", code);
        if (field is not null) w.WriteString("field", field);
        w.WriteString("message", message);
    });

    public static string Closing(string code, string message) => Write(w =>
    {
        w.WriteString("type", "closing");
        w.WriteString("code", code);
        w.WriteString("message", message);
    });

    public static string Pong() => """{"type":"pong"}""";

    private static void Raw(Utf8JsonWriter w, string name, string json)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(json, skipInputValidation: true);
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
