using System.Text.Json;

namespace Nexus.Server.Api.Mapping;

/// <summary>
/// Stored args and results as JSON values for answers. Nexus stores only JSON there, but a row edited by hand (SQLite
/// keeps them as text) may hold something else: that reads as a JSON string of the stored text, so one row never fails
/// a whole list or lease.
/// </summary>
internal static class StoredJsonValue
{
    public static JsonElement Element(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
