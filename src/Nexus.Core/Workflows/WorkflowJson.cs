using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Workflows;

/// <summary>Reads and writes workflow definitions as JSON (camelCase, enums as camelCase strings, unknown members
/// refused, nulls omitted), so that a definition built in C# and one written by hand serialize the same.</summary>
public static class WorkflowJson
{
    /// <summary>The serializer options of definitions.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(NexusJson.Options)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Parses a definition. Throws <see cref="TaskValidationException"/> naming the JSON path at fault when the
    /// text is not a definition (it does not check the graph: see <see cref="WorkflowValidator"/>).</summary>
    public static WorkflowDefinition Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<WorkflowDefinition>(json, Options)
                ?? throw new TaskValidationException("definition", "must be a JSON object, not null");
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "definition" : "definition" + ex.Path[1..];
            throw new TaskValidationException(path, Describe(ex));
        }
    }

    /// <summary>Parses a definition from a JSON element.</summary>
    public static WorkflowDefinition Parse(JsonElement json) => Parse(json.GetRawText());

    /// <summary>The definition's canonical JSON text.</summary>
    public static string Serialize(WorkflowDefinition definition) => JsonSerializer.Serialize(definition, Options);

    /// <summary>A hash of the canonical JSON: registering the same definition twice keeps one version.</summary>
    public static string Hash(string canonicalJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));

    private static string Describe(JsonException ex)
    {
        // The serializer's messages end with "Path: … | LineNumber: …"; the path is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return message.Replace("Nexus.Workflows.", "", StringComparison.Ordinal).TrimEnd('.');
    }
}
