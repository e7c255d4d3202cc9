using System.Text.Json;

namespace Nexus.Filters;

/// <summary>Equality and order of JSON values as the filter language defines them: numbers by value
/// (<c>1</c> equals <c>1.0</c>), strings by ordinal comparison, objects and arrays structurally; values of different
/// kinds are never equal and never ordered.</summary>
internal static class JsonValues
{
    public static bool Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return CompareNumbers(a, b) == 0;
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) return false;
                for (var i = 0; i < a.GetArrayLength(); i++)
                {
                    if (!Equal(a[i], b[i])) return false;
                }
                return true;
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !Equal(property.Value, other)) return false;
                }
                return count == b.EnumerateObject().Count();
            default:
                return true; // true, false or null, each equal to itself
        }
    }

    /// <summary>The order of two numbers or two strings; null when they cannot be ordered.</summary>
    public static int? Compare(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return CompareNumbers(a, b);
        }
        if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String)
        {
            return string.CompareOrdinal(a.GetString(), b.GetString());
        }
        return null;
    }

    // Exact for every number decimal holds (28 digits); beyond that, doubles.
    private static int CompareNumbers(JsonElement a, JsonElement b) =>
        a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x.CompareTo(y) : a.GetDouble().CompareTo(b.GetDouble());
}
