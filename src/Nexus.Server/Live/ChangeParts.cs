using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Nexus.Live;

namespace Nexus.Server.Live;

/// <summary>
/// The parts of a <c>change</c> message that every subscriber of a change shares, formatted once per change as UTF-8
/// however many connections it reaches: what comes between the subscription's id and its matched channels
/// (namespace, cursor, position) and everything after the channels (time, kind and the value, document, patch or
/// payload — the large part). A subscriber's message is then its own <c>sub</c> and <c>channels</c> spliced between
/// them (<see cref="LiveMessages.Change(LiveDelivery, ChangeParts)"/>). Kept beside the change for as long as the change is alive.
/// </summary>
internal sealed class ChangeParts
{
    private static readonly ConditionalWeakTable<LiveChange, ChangeParts> Cache = new();

    private ChangeParts(string ns, string cursor, byte[] middle, byte[] tail)
    {
        Namespace = ns;
        Cursor = cursor;
        Middle = middle;
        Tail = tail;
    }

    /// <summary>The namespace the parts were formatted for (a change lives in one namespace's log).</summary>
    public string Namespace { get; }

    /// <summary>The change's cursor as text (the SSE id).</summary>
    public string Cursor { get; }

    /// <summary><c>,"namespace":…,"cursor":…,"position":…,"channels":[</c></summary>
    public byte[] Middle { get; }

    /// <summary><c>],"time":…,"kind":…, … }</c> (closes the message).</summary>
    public byte[] Tail { get; }

    /// <summary>The parts of a change as delivered in a namespace: formatted by the first subscriber that needs
    /// them, then shared.</summary>
    public static ChangeParts Of(LiveChange change, string ns)
    {
        // Looked up without a closure: this runs once per subscriber of every change.
        if (Cache.TryGetValue(change, out var parts) && parts.Namespace == ns) return parts;
        parts = Format(change, ns);
        Cache.AddOrUpdate(change, parts);
        return parts;
    }

    private static ChangeParts Format(LiveChange c, string ns)
    {
        var cursor = c.Cursor.ToString();
        var middle = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(middle))
        {
            // Written as the properties of an object whose braces are left out: the separators come out as in one message.
            w.WriteStartObject();
            w.WriteString("namespace", ns);
            w.WriteString("cursor", cursor);
            w.WriteNumber("position", c.Event.Position);
            w.WriteEndObject();
        }
        var tail = new ArrayBufferWriter<byte>(256 + (c.ValueJson?.Length ?? 0) + (c.PatchJson?.Length ?? 0));
        using (var w = new Utf8JsonWriter(tail))
        {
            w.WriteStartObject();
            w.WriteString("time", c.Event.Time);
            LiveMessages.WriteBody(w, c);
            w.WriteEndObject();
        }
        // middle: {"namespace":…,"position":N}  →  ,"namespace":…,"position":N,"channels":[
        // tail:   {"time":…}                    →  ],"time":…}
        byte[] Middle() => [(byte)',', .. middle.WrittenSpan[1..^1], .. ",\"channels\":["u8];
        byte[] Tail() => [(byte)']', (byte)',', .. tail.WrittenSpan[1..]];
        return new ChangeParts(ns, cursor, Middle(), Tail());
    }
}
