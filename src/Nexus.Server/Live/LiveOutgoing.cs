using System.Text;

namespace Nexus.Server.Live;

/// <summary>A message waiting to be sent: its type (the SSE event name), the cursor of a change (the SSE id), the JSON
/// as UTF-8 (what goes on the wire, encoded once).</summary>
internal readonly record struct LiveOutgoing(string Type, string? Cursor, byte[] Utf8)
{
    private const string Head = "{\"type\":\"";

    /// <summary>A message other than a change, from its JSON text.</summary>
    public static LiveOutgoing Of(string json) => new(TypeOf(json), null, Encoding.UTF8.GetBytes(json));

    /// <summary>The type of a server message: every one is written with <c>type</c> first.</summary>
    public static string TypeOf(string json) =>
        json.StartsWith(Head, StringComparison.Ordinal) && json.IndexOf('"', Head.Length) is var end and > 0 ? json[Head.Length..end] : "message";
}
