using System.Globalization;
using System.Text.Json;

namespace Nexus.Filters;

/// <summary>Dotted paths into JSON: <c>a.b.0.c</c>; a segment that is a number indexes an array.</summary>
internal static class JsonPaths
{
    public static string[] Split(string path) => path.Split('.');

    public static bool TryResolve(JsonElement document, string[] path, out JsonElement value)
    {
        value = document;
        foreach (var segment in path)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object when value.TryGetProperty(segment, out var child):
                    value = child;
                    break;
                case JsonValueKind.Array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                                              && index < value.GetArrayLength():
                    value = value[index];
                    break;
                default:
                    value = default;
                    return false;
            }
        }
        return true;
    }
}
