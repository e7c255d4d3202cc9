using System.Text.Json;
using Nexus.Filters;

namespace Nexus.Workflows;

/// <summary>Step conditions (<c>if</c>) and signal filters use the one filter language (<see cref="JsonFilter"/>).</summary>
internal static class StepConditions
{
    /// <summary>Throws <see cref="TaskValidationException"/> naming the field inside the condition that is wrong.</summary>
    public static void Check(JsonElement condition, string at)
    {
        try
        {
            JsonFilter.Parse(condition);
        }
        catch (FilterException ex)
        {
            throw new TaskValidationException(string.IsNullOrEmpty(ex.Path) ? at : $"{at}.{ex.Path}", ex.Problem);
        }
    }

    public static bool Matches(JsonElement condition, JsonElement document) => JsonFilter.Parse(condition).Matches(document);
}
