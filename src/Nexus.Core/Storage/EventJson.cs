using System.Text.Json;
using Nexus.Events;

namespace Nexus.Storage;

/// <summary>How drivers store the JSON parts of events, and the errors every driver raises the same way.</summary>
public static class EventJson
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Headers as stored (a JSON object of strings); an unreadable value reads as none.</summary>
    public static IReadOnlyDictionary<string, string> Headers(string? json)
    {
        if (string.IsNullOrEmpty(json) || json == "{}") return NoHeaders;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? NoHeaders;
        }
        catch (JsonException)
        {
            return NoHeaders;
        }
    }

    /// <summary>Headers to store.</summary>
    public static string Headers(IReadOnlyDictionary<string, string> headers) =>
        headers.Count == 0 ? "{}" : JsonSerializer.Serialize(headers);

    /// <summary>The namespace does not exist.</summary>
    public static StoreException NamespaceNotFound(string name) =>
        new("namespace-not-found", $"There is no namespace '{Names.Shorten(name)}'; create it first.");

    /// <summary>The subscription name is taken.</summary>
    public static StoreException SubscriptionExists(string ns, string name) =>
        new("subscription-exists", $"Namespace '{ns}' already has a subscription named '{name}'.");
}
