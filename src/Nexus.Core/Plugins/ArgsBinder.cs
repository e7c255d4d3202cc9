using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Nexus.Plugins;

/// <summary>Turns argument JSON into a typed object, or into an error that names the field at fault;
/// and produces the JSON schema of an args type, including DataAnnotations limits. Checked at submit: the
/// DataAnnotations on each property, then <see cref="IValidatableObject"/> for rules across arguments.</summary>
internal static class ArgsBinder
{
    public static object Bind(Type argsType, string argsJson)
    {
        if (FirstSignificant(argsJson) is var first and not '{')
        {
            throw new TaskValidationException("args", first == '\0' ? "is empty; use {} for no arguments" : "must be a JSON object");
        }
        object? value;
        try
        {
            value = JsonSerializer.Deserialize(argsJson, argsType, NexusJson.Options);
        }
        catch (JsonException ex) when (ex.InnerException is JsonException syntax)
        {
            // The reader's own error: the text is not JSON at all, whatever member it had reached.
            throw new TaskValidationException("args", "is not valid JSON: " + Describe(syntax));
        }
        catch (JsonException ex)
        {
            throw ArgsErrors.Explain(argsType, ex);
        }
        if (value is null) throw new TaskValidationException("args", "must be a JSON object");
        Validate(value);
        return value;
    }

    private static char FirstSignificant(string json)
    {
        foreach (var c in json)
        {
            if (!char.IsWhiteSpace(c)) return c;
        }
        return '\0';
    }

    internal static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "args" : "args" + path.TrimStart('$');

    internal static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return message.Replace("System.", "", StringComparison.Ordinal);
    }

    private static readonly ConcurrentDictionary<Type, ValidationPlan[]> Plans = new();

    /// <summary>The properties of a type that carry DataAnnotations (on the property or its constructor parameter),
    /// found once per type: reflection stays off the per-task path.</summary>
    private sealed record ValidationPlan(PropertyInfo Property, string Field, ValidationAttribute[] Attributes);

    private static ValidationPlan[] PlanFor(Type type) => Plans.GetOrAdd(type, static t =>
    {
        var ctorParams = t.GetConstructors().SelectMany(c => c.GetParameters())
            .Where(p => p.Name is not null)
            .GroupBy(p => p.Name!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var plans = new List<ValidationPlan>();
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var attributes = property.GetCustomAttributes<ValidationAttribute>(true).ToList();
            if (ctorParams.TryGetValue(property.Name, out var parameter))
            {
                attributes.AddRange(parameter.GetCustomAttributes<ValidationAttribute>(true));
            }
            if (attributes.Count > 0)
            {
                plans.Add(new ValidationPlan(property, "args." + JsonNamingPolicy.CamelCase.ConvertName(property.Name), [.. attributes]));
            }
        }
        return [.. plans];
    });

    private static void Validate(object value)
    {
        foreach (var plan in PlanFor(value.GetType()))
        {
            var propertyValue = plan.Property.GetValue(value);
            foreach (var attribute in plan.Attributes)
            {
                var context = new ValidationContext(value) { MemberName = plan.Property.Name, DisplayName = plan.Field };
                var result = attribute.GetValidationResult(propertyValue, context);
                if (result != ValidationResult.Success)
                {
                    // An attribute over a list may name the entry at fault as the member "[i]".
                    var entry = result?.MemberNames.FirstOrDefault(m => m.StartsWith('['));
                    throw new TaskValidationException(plan.Field + entry, Problem(attribute, result?.ErrorMessage));
                }
            }
        }
        if (value is IValidatableObject whole)
        {
            // Rules that join several arguments (this one only with that one); each result names its members by
            // their .NET property names, reported as the JSON fields.
            var failed = whole.Validate(new ValidationContext(value)).FirstOrDefault(r => r != ValidationResult.Success);
            if (failed is not null)
            {
                var member = failed.MemberNames.FirstOrDefault();
                var field = member is null ? "args" : "args." + JsonNamingPolicy.CamelCase.ConvertName(member);
                throw new TaskValidationException(field, failed.ErrorMessage ?? "is invalid");
            }
        }
    }

    private static string Problem(ValidationAttribute attribute, string? message) => attribute switch
    {
        RangeAttribute r => $"must be between {r.Minimum} and {r.Maximum}",
        RequiredAttribute => "is required",
        StringLengthAttribute s => $"length must be between {s.MinimumLength} and {s.MaximumLength}",
        MinLengthAttribute m => $"must have at least {m.Length} items or characters",
        MaxLengthAttribute m => $"must have at most {m.Length} items or characters",
        _ => message ?? "is invalid",
    };

    public static JsonObject SchemaOf(Type argsType)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = AddAnnotations,
        };
        var node = NexusJson.Options.GetJsonSchemaAsNode(argsType, exporterOptions);
        if (node is not JsonObject schema) throw new InvalidOperationException($"Args type {argsType.Name} does not describe a JSON object.");
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        schema["additionalProperties"] ??= false;
        return schema;
    }

    private static JsonNode AddAnnotations(JsonSchemaExporterContext context, JsonNode node)
    {
        if (node is not JsonObject schema) return node;
        var providers = new List<ICustomAttributeProvider>();
        if (context.PropertyInfo?.AttributeProvider is { } p) providers.Add(p);
        if (context.PropertyInfo?.AssociatedParameter?.AttributeProvider is { } a) providers.Add(a);
        if (context.PropertyInfo is null) providers.Add(context.TypeInfo.Type);
        foreach (var attribute in providers.SelectMany(x => x.GetCustomAttributes(true)))
        {
            switch (attribute)
            {
                case DescriptionAttribute d:
                    schema["description"] = d.Description;
                    break;
                case RangeAttribute r:
                    schema["minimum"] = JsonValue.Create(Convert.ToDouble(r.Minimum, System.Globalization.CultureInfo.InvariantCulture));
                    schema["maximum"] = JsonValue.Create(Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case StringLengthAttribute s:
                    schema["minLength"] = s.MinimumLength;
                    schema["maxLength"] = s.MaximumLength;
                    break;
                case MinLengthAttribute m:
                    schema[IsArray(schema) ? "minItems" : "minLength"] = m.Length;
                    break;
                case MaxLengthAttribute m:
                    schema[IsArray(schema) ? "maxItems" : "maxLength"] = m.Length;
                    break;
            }
        }
        return schema;
    }

    private static bool IsArray(JsonObject schema) =>
        schema["type"] is JsonValue v && v.TryGetValue<string>(out var t) ? t == "array"
        : schema["type"] is JsonArray arr && arr.Any(x => x?.GetValue<string>() == "array");

    internal static JsonTypeInfo TypeInfo(Type type) => NexusJson.Options.GetTypeInfo(type);
}
