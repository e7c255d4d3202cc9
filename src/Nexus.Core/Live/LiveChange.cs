using System.Text.Json;
using Nexus.Events;
using Nexus.State;

namespace Nexus.Live;

/// <summary>What a change of the log is: a state key, a document, or any other event.</summary>
public enum LiveKind
{
    /// <summary>A user's event (or a <c>$</c>-topic that is neither state nor document).</summary>
    Event,
    /// <summary>A state key changed (<c>$state.…</c>).</summary>
    State,
    /// <summary>A document changed (<c>$docs.…</c>).</summary>
    Document,
}

/// <summary>One entry of the log as the live layer sees it, parsed once per node however many clients it reaches.</summary>
public sealed class LiveChange
{
    private LiveChange(EventRecord e) => Event = e;

    /// <summary>The log entry.</summary>
    public EventRecord Event { get; }
    /// <summary>Where a reader is once it has this change.</summary>
    public LogCursor Cursor => Event.Cursor;
    /// <summary>State, document or event.</summary>
    public LiveKind Kind { get; private init; }
    /// <summary><c>created</c>, <c>updated</c> or <c>deleted</c> (state and documents); null for events.</summary>
    public string? Op { get; private init; }
    /// <summary>The state key; null otherwise.</summary>
    public string? Key { get; private init; }
    /// <summary>The document's model; null otherwise.</summary>
    public string? Model { get; private init; }
    /// <summary>The document's id; null otherwise.</summary>
    public string? Id { get; private init; }
    /// <summary>The version written.</summary>
    public long Version { get; private init; }
    /// <summary>The state value or the whole document after the change (JSON), null for a delete or an event.</summary>
    public string? ValueJson { get; private init; }
    /// <summary>The slim JSON Patch from the previous version (document updates); else null.</summary>
    public string? PatchJson { get; private init; }
    /// <summary>True when a state key was deleted by its TTL.</summary>
    public bool Expired { get; private init; }

    /// <summary>Parses a log entry (Nexus's own payloads for <c>$state</c>/<c>$docs</c> topics).</summary>
    public static LiveChange From(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var own = e.Topic.StartsWith(ChangeTopics.StateRoot + ".", StringComparison.Ordinal) || e.Topic.StartsWith(ChangeTopics.DocumentsRoot + ".", StringComparison.Ordinal);
        if (!own) return new LiveChange(e) { Kind = LiveKind.Event };
        using var doc = JsonDocument.Parse(e.PayloadJson);
        var p = doc.RootElement;
        string? Text(string name) => p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        string? Raw(string name) => p.TryGetProperty(name, out var v) ? v.GetRawText() : null;
        var kind = Text("kind") == "document" ? LiveKind.Document : LiveKind.State;
        return new LiveChange(e)
        {
            Kind = kind,
            Op = Text("op"),
            Key = kind == LiveKind.State ? Text("key") : null,
            Model = Text("model"),
            Id = Text("id"),
            Version = p.TryGetProperty("version", out var version) ? version.GetInt64() : 0,
            ValueJson = kind == LiveKind.State ? Raw("value") : Raw("document"),
            PatchJson = Raw("patch"),
            Expired = p.TryGetProperty("expired", out var expired) && expired.ValueKind == JsonValueKind.True,
        };
    }
}
