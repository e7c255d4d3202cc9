using Nexus.Events;
using Nexus.Filters;
using Nexus.State;

namespace Nexus.Live;

/// <summary>
/// One channel of a live subscription, written as text (docs/realtime.md):
/// <c>docs:{model}</c>, <c>docs:{model}/{id}</c>, <c>state:{key}</c>, <c>state-prefix:{prefix}</c> (<c>state-prefix:</c>
/// alone: every key), <c>events:{pattern}</c> (a topic pattern; <c>$</c>-patterns reach Nexus's own entries). An optional
/// filter (docs/filters.md) is matched against the document or the state value after the change, or the event
/// document; deletes pass every filter (the client drops what it does not hold).
/// </summary>
public sealed class LiveChannel
{
    private readonly TopicPattern? _pattern;

    private LiveChannel(string text, LiveKind kind, JsonFilter? filter, TopicPattern? pattern)
    {
        Text = text;
        Kind = kind;
        Filter = filter;
        _pattern = pattern;
    }

    /// <summary>The channel as written.</summary>
    public string Text { get; }
    /// <summary>What it selects.</summary>
    public LiveKind Kind { get; }
    /// <summary>The filter, or null.</summary>
    public JsonFilter? Filter { get; }
    /// <summary>The model (document channels).</summary>
    public string? Model { get; private init; }
    /// <summary>The document id (one document), or null for the whole model.</summary>
    public string? Id { get; private init; }
    /// <summary>The state key (exact) or prefix.</summary>
    public string? Key { get; private init; }
    /// <summary>True when <see cref="Key"/> is a prefix.</summary>
    public bool IsPrefix { get; private init; }

    /// <summary>Parses a channel; throws <see cref="TaskValidationException"/> naming <paramref name="field"/>.</summary>
    public static LiveChannel Parse(string? text, string? filterJson = null, string field = "channel", string filterField = "filter")
    {
        if (string.IsNullOrEmpty(text)) throw new TaskValidationException(field, "is required (docs:{model}[/{id}], state:{key}, state-prefix:{prefix} or events:{pattern})");
        JsonFilter? filter;
        try
        {
            filter = filterJson is null ? null : JsonFilter.Parse(filterJson);
        }
        catch (FilterException ex)
        {
            throw new TaskValidationException(filterField, ex.Message);
        }
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? text : text[..colon];
        var rest = colon < 0 ? "" : text[(colon + 1)..];
        switch (scheme)
        {
            case "docs":
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var model = Documents.DocumentNames.Model(slash < 0 ? rest : rest[..slash], field);
                var id = slash < 0 ? null : Documents.DocumentNames.Id(rest[(slash + 1)..], field);
                return new LiveChannel(text, LiveKind.Document, filter, null) { Model = model, Id = id };
            case "state":
                return new LiveChannel(text, LiveKind.State, filter, null) { Key = StateKeys.Key(rest, field) };
            case "state-prefix":
                if (rest.Length > StateKeys.MaxKeyLength) throw new TaskValidationException(field, $"a prefix has at most {StateKeys.MaxKeyLength} characters");
                return new LiveChannel(text, LiveKind.State, filter, null) { Key = rest, IsPrefix = true };
            case "events":
                return new LiveChannel(text, LiveKind.Event, filter, TopicPattern.Parse(rest, field));
            default:
                throw new TaskValidationException(field, $"'{Names.Shorten(text)}' is not a channel: use docs:{{model}}[/{{id}}], state:{{key}}, state-prefix:{{prefix}} or events:{{pattern}}");
        }
    }

    /// <summary>True when the change belongs to this channel and passes its filter.</summary>
    public bool Matches(LiveChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (Kind)
        {
            case LiveKind.Document:
                if (change.Kind != LiveKind.Document || change.Model != Model || (Id is not null && change.Id != Id)) return false;
                return Passes(change.ValueJson, change);
            case LiveKind.State:
                if (change.Kind != LiveKind.State || change.Key is null) return false;
                if (IsPrefix ? !change.Key.StartsWith(Key!, StringComparison.Ordinal) || change.Key.StartsWith('$') : change.Key != Key) return false;
                return Passes(change.ValueJson, change);
            default:
                if (!_pattern!.Matches(change.Event.Topic)) return false;
                return Filter is null || Filter.Matches(EventDocument.Json(change.Event));
        }
    }

    private bool Passes(string? valueJson, LiveChange change) =>
        Filter is null || change.Op == ChangeOps.Deleted || (valueJson is not null && Filter.Matches(valueJson));
}
