using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nexus.Plugins;

/// <summary>
/// The args schema of a plugin served by external workers: a documented subset of JSON Schema, checked when the
/// worker declares it and applied to every submit. Supported keywords: <c>type</c> (object, array, string, integer,
/// number, boolean, null, or an array of them), <c>properties</c>, <c>required</c>, <c>additionalProperties</c>
/// (true or false; default true), <c>enum</c>, <c>const</c>, <c>minimum</c>, <c>maximum</c>, <c>exclusiveMinimum</c>,
/// <c>exclusiveMaximum</c>, <c>minLength</c>, <c>maxLength</c>, <c>pattern</c>, <c>items</c>, <c>minItems</c>,
/// <c>maxItems</c>; the annotations <c>$schema</c>, <c>$id</c>, <c>$comment</c>, <c>title</c>, <c>description</c>,
/// <c>default</c>, <c>examples</c> and <c>format</c> are accepted and not enforced. Anything else (notably <c>$ref</c>,
/// which could point anywhere) is refused at declaration, so a schema never passes args it was meant to refuse.
/// Errors name the field, as for local plugins: <c>args.words: must be at most 100</c>.
/// </summary>
public sealed class JsonArgsSchema
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal) { "$schema", "$id", "$comment", "title", "description", "default", "examples", "format" };
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "items", "minItems", "maxItems",
    };
    private static readonly HashSet<string> TypeNames = new(StringComparer.Ordinal) { "object", "array", "string", "integer", "number", "boolean", "null" };
    private const int MaxDepth = 32;

    private readonly Rule _root;

    private JsonArgsSchema(Rule root, JsonObject document)
    {
        _root = root;
        Document = document;
    }

    /// <summary>The schema as declared.</summary>
    public JsonObject Document { get; }

    /// <summary>Reads a schema; throws <see cref="TaskValidationException"/> naming the keyword at fault under <paramref name="field"/>
    /// (e.g. <c>plugins[0].argsSchema.properties.n.type</c>). The root must describe an object.</summary>
    public static JsonArgsSchema Parse(string json, string field)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonElement element;
        try
        {
            using var document = JsonDocument.Parse(json);
            element = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException(field, $"is not valid JSON: {ex.Message}");
        }
        var root = Read(element, field, 0);
        if (root.Types is not { } types || !types.SetEquals(["object"]))
        {
            throw new TaskValidationException(field + ".type", "must be \"object\": args are always a JSON object");
        }
        return new JsonArgsSchema(root, (JsonObject)JsonNode.Parse(json)!);
    }

    /// <summary>Validates args JSON; throws <see cref="TaskValidationException"/> naming the field (<c>args.x</c>).</summary>
    public void Validate(string argsJson) => Validate(argsJson, "args");

    /// <summary>Checks <paramref name="json"/>; errors name fields under <paramref name="root"/> (<c>document.total</c>).</summary>
    public void Validate(string json, string root)
    {
        var argsJson = json;
        JsonElement args;
        try
        {
            using var document = JsonDocument.Parse(argsJson);
            args = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException(root, $"is not valid JSON: {ex.Message}");
        }
        Check(_root, args, root);
    }

    private sealed class Rule
    {
        public HashSet<string>? Types;
        public Dictionary<string, Rule>? Properties;
        public List<string> Required = [];
        public bool AdditionalProperties = true;
        public List<JsonElement>? Enum;
        public decimal? Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum;
        public int? MinLength, MaxLength, MinItems, MaxItems;
        public Regex? Pattern;
        public Rule? Items;
    }

    private static Rule Read(JsonElement e, string at, int depth)
    {
        if (depth > MaxDepth) throw new TaskValidationException(at, $"nests deeper than {MaxDepth} levels");
        if (e.ValueKind != JsonValueKind.Object) throw new TaskValidationException(at, "must be a JSON Schema object");
        var rule = new Rule();
        foreach (var p in e.EnumerateObject())
        {
            var f = $"{at}.{p.Name}";
            if (Annotations.Contains(p.Name)) continue;
            if (!Keywords.Contains(p.Name))
            {
                throw new TaskValidationException(f, $"is not a supported keyword (supported: {string.Join(", ", Keywords)}; annotations: {string.Join(", ", Annotations)})");
            }
            var v = p.Value;
            switch (p.Name)
            {
                case "type":
                    var names = v.ValueKind == JsonValueKind.String ? [v.GetString()!]
                        : v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String) ? v.EnumerateArray().Select(x => x.GetString()!).ToList()
                        : throw new TaskValidationException(f, "must be a type name or an array of type names");
                    foreach (var n in names.Where(n => !TypeNames.Contains(n))) throw new TaskValidationException(f, $"'{n}' is not a type (use {string.Join(", ", TypeNames)})");
                    rule.Types = [.. names];
                    break;
                case "properties":
                    if (v.ValueKind != JsonValueKind.Object) throw new TaskValidationException(f, "must be an object of schemas");
                    rule.Properties = new Dictionary<string, Rule>(StringComparer.Ordinal);
                    foreach (var prop in v.EnumerateObject()) rule.Properties[prop.Name] = Read(prop.Value, $"{f}.{prop.Name}", depth + 1);
                    break;
                case "required":
                    if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String)) throw new TaskValidationException(f, "must be an array of property names");
                    rule.Required = [.. v.EnumerateArray().Select(x => x.GetString()!)];
                    break;
                case "additionalProperties":
                    rule.AdditionalProperties = v.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new TaskValidationException(f, "must be true or false (schemas here are not supported)"),
                    };
                    break;
                case "enum":
                    if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0) throw new TaskValidationException(f, "must be a non-empty array");
                    rule.Enum = [.. v.EnumerateArray()];
                    break;
                case "const":
                    rule.Enum = [v];
                    break;
                case "minimum": rule.Minimum = Number(v, f); break;
                case "maximum": rule.Maximum = Number(v, f); break;
                case "exclusiveMinimum": rule.ExclusiveMinimum = Number(v, f); break;
                case "exclusiveMaximum": rule.ExclusiveMaximum = Number(v, f); break;
                case "minLength": rule.MinLength = Count(v, f); break;
                case "maxLength": rule.MaxLength = Count(v, f); break;
                case "minItems": rule.MinItems = Count(v, f); break;
                case "maxItems": rule.MaxItems = Count(v, f); break;
                case "pattern":
                    if (v.ValueKind != JsonValueKind.String) throw new TaskValidationException(f, "must be a regular expression string");
                    try
                    {
                        // A time limit per match: a pattern from a worker must not stall submits.
                        rule.Pattern = new Regex(v.GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                    }
                    catch (ArgumentException ex)
                    {
                        throw new TaskValidationException(f, $"is not a valid regular expression: {ex.Message}");
                    }
                    break;
                case "items":
                    rule.Items = Read(v, f, depth + 1);
                    break;
            }
        }
        return rule;
    }

    private static decimal Number(JsonElement v, string f) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) ? d : throw new TaskValidationException(f, "must be a number");

    private static int Count(JsonElement v, string f) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0 ? i : throw new TaskValidationException(f, "must be a non-negative integer");

    private static void Check(Rule rule, JsonElement value, string at)
    {
        if (rule.Types is { } types && !types.Any(t => Is(value, t)))
        {
            throw new TaskValidationException(at, $"must be {string.Join(" or ", types.Order(StringComparer.Ordinal))} (was {Describe(value)})");
        }
        if (rule.Enum is { } allowed && !allowed.Any(a => JsonElement.DeepEquals(a, value)))
        {
            throw new TaskValidationException(at, $"must be one of {string.Join(", ", allowed.Select(a => a.GetRawText()))}");
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDecimal(out var n):
                if (rule.Minimum is { } min && n < min) throw new TaskValidationException(at, $"must be at least {Format(min)}");
                if (rule.Maximum is { } max && n > max) throw new TaskValidationException(at, $"must be at most {Format(max)}");
                if (rule.ExclusiveMinimum is { } emin && n <= emin) throw new TaskValidationException(at, $"must be greater than {Format(emin)}");
                if (rule.ExclusiveMaximum is { } emax && n >= emax) throw new TaskValidationException(at, $"must be less than {Format(emax)}");
                break;
            case JsonValueKind.String:
                var s = value.GetString()!;
                var length = s.EnumerateRunes().Count();
                if (rule.MinLength is { } minLength && length < minLength) throw new TaskValidationException(at, $"must be at least {minLength} characters");
                if (rule.MaxLength is { } maxLength && length > maxLength) throw new TaskValidationException(at, $"must be at most {maxLength} characters");
                if (rule.Pattern is { } pattern && !Matches(pattern, s, at)) throw new TaskValidationException(at, $"must match the pattern {pattern}");
                break;
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                if (rule.MinItems is { } minItems && count < minItems) throw new TaskValidationException(at, $"must have at least {minItems} items");
                if (rule.MaxItems is { } maxItems && count > maxItems) throw new TaskValidationException(at, $"must have at most {maxItems} items");
                if (rule.Items is { } items)
                {
                    var i = 0;
                    foreach (var item in value.EnumerateArray()) Check(items, item, $"{at}[{i++}]");
                }
                break;
            case JsonValueKind.Object:
                foreach (var name in rule.Required)
                {
                    if (!value.TryGetProperty(name, out _)) throw new TaskValidationException($"{at}.{name}", "is required");
                }
                foreach (var p in value.EnumerateObject())
                {
                    if (rule.Properties is not null && rule.Properties.TryGetValue(p.Name, out var child)) Check(child, p.Value, $"{at}.{p.Name}");
                    else if (!rule.AdditionalProperties) throw new TaskValidationException($"{at}.{p.Name}", "is not a known field");
                }
                break;
        }
    }

    private static bool Matches(Regex pattern, string s, string at)
    {
        try
        {
            return pattern.IsMatch(s);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new TaskValidationException(at, "took too long to check against the pattern");
        }
    }

    private static bool Is(JsonElement v, string type) => type switch
    {
        "object" => v.ValueKind == JsonValueKind.Object,
        "array" => v.ValueKind == JsonValueKind.Array,
        "string" => v.ValueKind == JsonValueKind.String,
        "number" => v.ValueKind == JsonValueKind.Number,
        "integer" => v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => v.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static string Format(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
