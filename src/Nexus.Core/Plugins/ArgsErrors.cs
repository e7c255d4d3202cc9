using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Nexus.Plugins;

/// <summary>Turns System.Text.Json's errors into ones a caller of the API can act on: the JSON field, and what
/// it must be in JSON terms (never a .NET type name).</summary>
internal static partial class ArgsErrors
{
    public static TaskValidationException Explain(Type argsType, JsonException ex)
    {
        var message = ex.Message;
        var field = ArgsBinder.FieldOf(ex.Path);
        var container = ResolveType(argsType, ex.Path);

        var missing = message.IndexOf("missing required properties", StringComparison.Ordinal);
        if (missing >= 0)
        {
            var names = Quoted().Matches(message[missing..]).Select(m => m.Groups[1].Value).ToList();
            if (names.Count > 0)
            {
                var also = names.Count > 1 ? $" (also missing: {string.Join(", ", names.Skip(1))})" : "";
                return new TaskValidationException($"{field}.{names[0]}", "is required" + also);
            }
        }
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var known = container is null ? "" : string.Join(", ", Properties(container));
            return new TaskValidationException(field, $"is not a known argument{(known.Length > 0 ? $" (known: {known})" : "")}");
        }
        if (container is not null) return new TaskValidationException(field, "must be " + Expected(container));
        return new TaskValidationException(field, ArgsBinder.Describe(ex));
    }

    /// <summary>The .NET type at a JSON path like <c>$.layers[2].color</c>, or null when it cannot be followed.</summary>
    private static Type? ResolveType(Type root, string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return root;
        var current = root;
        foreach (Match segment in Segment().Matches(path))
        {
            current = Nullable.GetUnderlyingType(current) ?? current;
            if (segment.Groups["index"].Success)
            {
                var element = ElementType(current);
                if (element is null) return null;
                current = element;
                continue;
            }
            var name = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
            var info = NexusJson.Options.GetTypeInfo(current);
            if (info.Kind != JsonTypeInfoKind.Object) return null;
            var property = info.Properties.FirstOrDefault(p => p.Name == name);
            if (property is null) return current; // an unknown member: report against its container
            current = property.PropertyType;
        }
        return current;
    }

    private static IEnumerable<string> Properties(Type type)
    {
        var info = NexusJson.Options.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        return info.Kind == JsonTypeInfoKind.Object ? info.Properties.Select(p => p.Name) : [];
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type)) return null;
        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static string Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var orNull = Nullable.GetUnderlyingType(type) is not null ? " or null" : "";
        if (t.IsEnum)
        {
            var names = Enum.GetNames(t).Select(n => JsonNamingPolicy.CamelCase.ConvertName(n));
            return $"one of {string.Join(", ", names)}{orNull}";
        }
        if (t == typeof(bool)) return "true or false" + orNull;
        if (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(sbyte))
        {
            return "a whole number" + orNull;
        }
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "a number" + orNull;
        if (t == typeof(string)) return "a string";
        if (t == typeof(DateTimeOffset) || t == typeof(DateTime)) return "a date-time string (ISO 8601, e.g. 2030-01-31T12:00:00Z)" + orNull;
        if (t == typeof(TimeSpan)) return "a duration string (e.g. 00:00:30)" + orNull;
        if (t == typeof(Guid)) return "a UUID string" + orNull;
        if (ElementType(t) is { } element) return $"an array of {Plural(Expected(element))}";
        return "a JSON object" + (Properties(t).Any() ? $" with members {string.Join(", ", Properties(t))}" : "");
    }

    private static string Plural(string expected) => expected switch
    {
        "a string" => "strings",
        "a whole number" => "whole numbers",
        "a number" => "numbers",
        _ => expected.StartsWith("one of ", StringComparison.Ordinal) ? $"values ({expected})" : $"items ({expected})",
    };

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>[^']+)'\]|\[(?<index>\d+)\]")]
    private static partial Regex Segment();
}
