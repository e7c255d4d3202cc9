using System.Text.Json;

namespace Nexus.Client;

/// <summary>Builds schedule targets.</summary>
public static class ScheduleTargets
{
    /// <summary><c>{"task":{"plugin":…,"args":…,"queue":…}}</c>; <paramref name="argsJson"/> must be a JSON object.</summary>
    public static JsonElement Task(string plugin, string argsJson = "{}", string? queue = null)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var text = "{\"task\":{\"plugin\":" + JsonSerializer.Serialize(plugin, Http.ClientJson.Default.String) + ",\"args\":" + argsJson
            + (queue is null ? "" : ",\"queue\":" + JsonSerializer.Serialize(queue, Http.ClientJson.Default.String)) + "}}";
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary><c>{"event":{"namespace":…,"topic":…,"payload":…}}</c>: each fire appends one event; <paramref name="payloadJson"/>
    /// is any JSON value (default <c>{}</c>).</summary>
    public static JsonElement Event(string @namespace, string topic, string payloadJson = "{}", string? key = null)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        ArgumentNullException.ThrowIfNull(topic);
        var text = "{\"event\":{\"namespace\":" + JsonSerializer.Serialize(@namespace, Http.ClientJson.Default.String)
            + ",\"topic\":" + JsonSerializer.Serialize(topic, Http.ClientJson.Default.String) + ",\"payload\":" + payloadJson
            + (key is null ? "" : ",\"key\":" + JsonSerializer.Serialize(key, Http.ClientJson.Default.String)) + "}}";
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary><c>{"workflow":{"name":…,"input":…}}</c>: each fire starts a run; <paramref name="inputJson"/> must be a JSON object.</summary>
    public static JsonElement Workflow(string name, string inputJson = "{}")
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = "{\"workflow\":{\"name\":" + JsonSerializer.Serialize(name, Http.ClientJson.Default.String) + ",\"input\":" + inputJson + "}}";
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}

