using System.Globalization;
using System.Text.Json;
using Nexus.Scheduling;
using Nexus.Storage;

namespace Nexus.Events;

/// <summary>
/// The <c>event</c> target of schedules: <c>{"event":{"namespace","topic","payload","key","priority","headers"}}</c>
/// appends one event per slot inside the slot's unit of work, so the event and the slot's row commit together. Its
/// idempotency key is the slot's (<see cref="ScheduleFire.IdempotencyKey"/>), so a slot never appends twice.
/// </summary>
internal sealed class EventScheduleTarget(EventService events, TimeProvider time) : IScheduleTargetHandler
{
    private readonly Engine.StoreClock _clock = new(time);

    public string Kind => ScheduleTargetKinds.Event;

    public void Validate(string targetJson) => Parse(targetJson);

    public async Task<string?> FireAsync(IStoreTransaction transaction, ScheduleFire fire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(fire);
        var (ns, request) = Parse(fire.TargetJson);
        if (await transaction.Events.GetNamespaceAsync(ns, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ScheduleTargetException($"there is no namespace '{ns}' to emit {request.Topic} in");
        }
        var rows = events.Prepare([request with { IdempotencyKey = fire.IdempotencyKey }]);
        var results = await transaction.Events.AppendAsync(new AppendEventsParams(ns, rows) { Now = _clock.Now }, cancellationToken).ConfigureAwait(false);
        events.Appended(ns, rows, results);
        return string.Create(CultureInfo.InvariantCulture, $"event {results[0].Position}");
    }

    /// <summary>Reads and checks a target; throws <see cref="TaskValidationException"/> naming <c>target.event.…</c>.</summary>
    internal (string Namespace, EventRequest Request) Parse(string targetJson)
    {
        const string at = "target.event.";
        using var doc = JsonDocument.Parse(targetJson);
        var root = doc.RootElement;
        var ns = Names.Namespace(Text(root, "namespace", at), at + "namespace");
        var topic = Text(root, "topic", at) ?? throw new TaskValidationException(at + "topic", "is required");
        var payload = root.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p.GetRawText() : "{}";
        var priority = EventPriorities.Parse(Text(root, "priority", at), at + "priority");
        Dictionary<string, string>? headers = null;
        if (root.TryGetProperty("headers", out var h) && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind != JsonValueKind.Object) throw new TaskValidationException(at + "headers", "must be an object of strings");
            headers = [];
            foreach (var header in h.EnumerateObject())
            {
                headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()!
                    : throw new TaskValidationException($"{at}headers.{Names.Shorten(header.Name)}", "must be a string");
            }
        }
        var request = new EventRequest(topic, payload) { Key = Text(root, "key", at), Priority = priority, Headers = headers };
        try
        {
            events.Prepare([request]);
        }
        catch (TaskValidationException ex)
        {
            throw new TaskValidationException(at + ex.Field, ex.Problem);
        }
        return (ns, request);
    }

    private static string? Text(JsonElement root, string name, string at)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new TaskValidationException(at + name, "must be a string");
    }
}
