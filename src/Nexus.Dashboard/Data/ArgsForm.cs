using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Dashboard.Data;

/// <summary>The submit form of a plugin, generated from its args JSON schema: one field per top-level property, typed by
/// the property's schema, and the args JSON built back from what was posted. Checks here are only those the form itself
/// needs (a number that is not one, JSON that does not parse); the schema's own rules are applied by the submit, as for
/// the API, and their errors name the field the same way (<c>args.words: …</c>).</summary>
public static class ArgsForm
{
    /// <summary>The prefix of the inputs that carry args.</summary>
    public const string Prefix = "arg.";

    /// <summary>The fields of <paramref name="schema"/>, in its order.</summary>
    public static IReadOnlyList<ArgsField> Fields(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema["properties"] is not JsonObject properties) return [];
        var required = schema["required"] is JsonArray names
            ? names.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];
        var fields = new List<ArgsField>();
        foreach (var (name, node) in properties)
        {
            var property = node as JsonObject;
            var choices = property?["enum"] is JsonArray values && values.All(v => v is JsonValue j && j.TryGetValue<string>(out _))
                ? values.Select(v => v!.GetValue<string>()).ToList()
                : [];
            var kind = choices.Count > 0 ? "enum" : KindOf(property);
            var description = property?["description"] is JsonValue d && d.TryGetValue<string>(out var text) ? text : null;
            fields.Add(new ArgsField(name, kind, required.Contains(name), description, choices, DefaultOf(property)));
        }
        return fields;
    }

    /// <summary>The args JSON of a posted form (<paramref name="posted"/> reads an input by name), or the form's own
    /// errors. An empty optional field is left out, so the plugin's default applies; an unchecked box is false.</summary>
    public static (string? Json, IReadOnlyList<string> Errors) Read(IReadOnlyList<ArgsField> fields, Func<string, string?> posted)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(posted);
        var args = new JsonObject();
        var errors = new List<string>();
        foreach (var field in fields)
        {
            var raw = posted(field.InputName);
            if (field.Kind == "boolean")
            {
                args[field.Name] = raw is not null && !string.Equals(raw, "false", StringComparison.OrdinalIgnoreCase);
                continue;
            }
            if (string.IsNullOrWhiteSpace(raw))
            {
                if (field.Required) errors.Add($"args.{field.Name}: is required");
                continue;
            }
            switch (field.Kind)
            {
                case "string" or "enum":
                    args[field.Name] = raw;
                    break;
                case "integer" when long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole):
                    args[field.Name] = whole;
                    break;
                case "integer":
                    errors.Add($"args.{field.Name}: must be a whole number");
                    break;
                case "number" when double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                    args[field.Name] = number;
                    break;
                case "number":
                    errors.Add($"args.{field.Name}: must be a number");
                    break;
                default:
                    try
                    {
                        args[field.Name] = JsonNode.Parse(raw);
                    }
                    catch (JsonException ex)
                    {
                        errors.Add($"args.{field.Name}: is not valid JSON ({ex.Message})");
                    }
                    break;
            }
        }
        return errors.Count > 0 ? (null, errors) : (args.ToJsonString(), []);
    }

    private static string KindOf(JsonObject? property)
    {
        var types = property?["type"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var one) => [one],
            JsonArray many => many.Select(t => t is JsonValue j && j.TryGetValue<string>(out var s) ? s : null).OfType<string>().Where(t => t != "null").ToList(),
            _ => new List<string>(),
        };
        return types is [var only] && only is "string" or "integer" or "number" or "boolean" ? only : "json";
    }

    private static string? DefaultOf(JsonObject? property) => property?["default"] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => other.ToJsonString(),
    };
}
