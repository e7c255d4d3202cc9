namespace Nexus.Server.Live;

/// <summary>A message waiting to be sent: its type (the SSE event name), the cursor of a change (the SSE id), the JSON.</summary>
internal readonly record struct LiveOutgoing(string Type, string? Cursor, string Json)
{
    private const string Head = "{\"type\":\"";

    /// <summary>The type of a server message: every one is written with <c>type</c> first.</summary>
    public static string TypeOf(string json) =>
        json.StartsWith(Head, StringComparison.Ordinal) && json.IndexOf('"', Head.Length) is var end and > 0 ? json[Head.Length..end] : "message";
}
