using System.Text.Json.Nodes;
using Nexus.Server.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Nexus.Server.Tests.Deploy;

/// <summary>The files under deploy/ read as JSON trees: YAML (every document of a file) through YamlDotNet, turned into
/// <see cref="JsonNode"/>s so the tests walk compose, Kubernetes, Prometheus and Grafana files the same way.</summary>
public static class DeployFiles
{
    public static string Root => Path.Combine(RepositoryRoot.Path(), "deploy");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Every file under deploy/ with one of the <paramref name="extensions"/> (".yml", ".json").</summary>
    public static IReadOnlyList<string> All(params string[] extensions) =>
        [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];

    /// <summary>Every YAML document of <paramref name="path"/>; a syntax error fails naming the file and line.</summary>
    public static IReadOnlyList<JsonNode?> Yaml(string path) => Yaml(path, typed: false);

    /// <summary>As <see cref="Yaml(string)"/>, with plain scalars typed as YAML reads them (<c>true</c> a boolean,
    /// <c>20</c> a number), as a JSON Schema expects; quoted scalars stay strings.</summary>
    public static IReadOnlyList<JsonNode?> Yaml(string path, bool typed)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(path));
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            Assert.Fail($"{Relative(path)} is not valid YAML: {ex.Message}");
        }
        return [.. stream.Documents.Select(d => ToJson(d.RootNode, typed))];
    }

    /// <summary>The one YAML document of <paramref name="path"/>, as an object.</summary>
    public static JsonObject YamlObject(string path)
    {
        var documents = Yaml(path);
        Assert.True(documents.Count == 1, $"{Relative(path)} should hold one YAML document (holds {documents.Count}).");
        return Assert.IsType<JsonObject>(documents[0], exactMatch: false);
    }

    public static JsonObject JsonObjectOf(string path)
    {
        try
        {
            return Assert.IsType<JsonObject>(JsonNode.Parse(File.ReadAllText(path)), exactMatch: false);
        }
        catch (System.Text.Json.JsonException ex)
        {
            Assert.Fail($"{Relative(path)} is not valid JSON: {ex.Message}");
            throw;
        }
    }

    public static string Relative(string path) => Path.GetRelativePath(RepositoryRoot.Path(), path);

    /// <summary>The string at <paramref name="node"/>, whatever scalar it is (YAML scalars are kept as strings).</summary>
    public static string? Text(this JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v => v.ToJsonString(),
        _ => null,
    };

    /// <summary>The children of an array node (none when it is missing).</summary>
    public static IEnumerable<JsonNode> Items(this JsonNode? node) => node is JsonArray a ? a.OfType<JsonNode>() : [];

    /// <summary>The properties of an object node (none when it is missing).</summary>
    public static IEnumerable<KeyValuePair<string, JsonNode?>> Props(this JsonNode? node) => node is JsonObject o ? o : [];

    /// <summary>A map of strings (labels, selectors, environment) as a dictionary.</summary>
    public static Dictionary<string, string?> StringMap(this JsonNode? node) =>
        node.Props().ToDictionary(p => p.Key, p => p.Value.Text(), StringComparer.Ordinal);

    private static JsonNode? ToJson(YamlNode node, bool typed = false)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    // Merge keys (<<: *anchor) as compose files use them: the anchor's entries, unless given here.
                    if (name == "<<" && ToJson(value, typed) is JsonObject merged)
                    {
                        foreach (var (k, v) in merged)
                        {
                            if (!map.Children.ContainsKey(new YamlScalarNode(k))) obj[k] = v?.DeepClone();
                        }
                        continue;
                    }
                    obj[name] = ToJson(value, typed);
                }
                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children) array.Add(ToJson(item, typed));
                return array;
            case YamlScalarNode scalar:
                if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain) return JsonValue.Create(scalar.Value);
                if (scalar.Value is "null" or "~" or "") return null;
                if (!typed) return JsonValue.Create(scalar.Value);
                if (scalar.Value is "true" or "false") return JsonValue.Create(scalar.Value == "true");
                if (long.TryParse(scalar.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)) return JsonValue.Create(n);
                if (double.TryParse(scalar.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
                return JsonValue.Create(scalar.Value);
            default:
                return null;
        }
    }
}
