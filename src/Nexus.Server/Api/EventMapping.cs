using Nexus.Server.Api.Mapping;
using System.Text.Json;
using Nexus.Events;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.Api;

/// <summary>Wire shapes of the event area, both ways, and the one namespace rule of its routes.</summary>
internal static class EventMapping
{
    /// <summary>The namespace of a route, checked: a caller outside it gets 404, as if it did not exist.</summary>
    public static string Namespace(HttpContext http, string ns)
    {
        if (!Names.IsNamespace(ns)) throw ApiProblemException.Invalid("namespace", $"'{QueryValues.Shorten(ns)}' is not a valid namespace name");
        Caller.From(http.User).EnsureNamespace(ns);
        return ns;
    }

    public static EventRequest Request(EmitEventRequest? e, string at)
    {
        if (e is null) throw ApiProblemException.Invalid(at.TrimEnd('.'), "is required");
        if (e.Topic is null) throw ApiProblemException.Invalid(at + "topic", "is required");
        if (e.Payload is not { } payload) throw ApiProblemException.Invalid(at + "payload", "is required (any JSON value)");
        return new EventRequest(e.Topic, payload.GetRawText())
        {
            Priority = EventPriorities.Parse(e.Priority, at + "priority"),
            Key = e.Key,
            Headers = e.Headers,
            IdempotencyKey = e.IdempotencyKey,
        };
    }

    public static EventResponse Response(EventRecord e) => new()
    {
        Position = e.Position,
        Cursor = e.Cursor.ToString(),
        Namespace = e.Namespace,
        Topic = e.Topic,
        Priority = e.Priority.ToName(),
        Key = e.Key,
        Headers = e.Headers,
        Payload = StoredJsonValue.Element(e.PayloadJson),
        Time = e.Time,
        IdempotencyKey = e.IdempotencyKey,
    };

    public static SubscriptionResponse Response(SubscriptionRecord s) => Response(s, null, default);

    public static SubscriptionResponse Response(SubscriptionRecord s, SubscriptionLag? lag, DateTimeOffset now) => new()
    {
        Lag = lag is null ? null : new SubscriptionLagResponse(lag.Events, lag.Oldest, lag.AgeAt(now).TotalSeconds),
        Id = s.Id,
        Namespace = s.Namespace,
        Name = s.Name,
        Pattern = s.Pattern,
        Filter = s.FilterJson is null ? null : StoredJsonValue.Element(s.FilterJson),
        Action = s.Action,
        Target = s.Target,
        ArgsTemplate = s.ArgsTemplateJson is null ? null : StoredJsonValue.Element(s.ArgsTemplateJson),
        Queue = SubscriptionActions.DeliveryQueue(s),
        MaxDeliveries = s.MaxDeliveries,
        OrderedByKey = s.OrderedByKey,
        Cursor = s.Cursor.ToString(),
        CreatedAt = s.CreatedAt,
    };

    public static SubscriptionStart Start(SubscriptionStartRequest? start, string field)
    {
        if (start is null) return SubscriptionStart.New;
        return start.Kind switch
        {
            null or "new" => SubscriptionStart.New,
            "all" => SubscriptionStart.All,
            "position" => new SubscriptionStart(SubscriptionStartKind.Position, start.Position
                ?? throw ApiProblemException.Invalid(field + ".position", "is required for a start from a position")),
            "time" => new SubscriptionStart(SubscriptionStartKind.Time, Time: start.Time
                ?? throw ApiProblemException.Invalid(field + ".time", "is required for a start from a time")),
            _ => throw ApiProblemException.Invalid(field + ".kind", "must be new, all, position or time"),
        };
    }

    public static string? Json(JsonElement? value, string field)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw ApiProblemException.Invalid(field, "must be a JSON object");
        return v.GetRawText();
    }

    public static TimeSpan Milliseconds(long? ms, string field, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (ms is not { } value) return fallback;
        if (value < min.TotalMilliseconds || value > max.TotalMilliseconds)
        {
            throw ApiProblemException.Invalid(field, $"must be {min.TotalMilliseconds:0}–{max.TotalMilliseconds:0} ms (was {value})");
        }
        return TimeSpan.FromMilliseconds(value);
    }
}
