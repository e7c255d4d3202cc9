using System.Text.RegularExpressions;

namespace Nexus.Scheduling;

/// <summary>The rule for schedule names: 1–128 letters, digits and <c>_ . - :</c>, starting with a letter or digit.</summary>
public static partial class ScheduleName
{
    /// <summary>Throws <see cref="TaskValidationException"/> naming <paramref name="field"/> when the name breaks the rule.</summary>
    public static void Validate(string? name, string field = "name")
    {
        if (name is null || !Pattern().IsMatch(name))
        {
            var shown = name is null ? "(null)" : name.Length <= 80 ? name : name[..80] + "…";
            throw new TaskValidationException(field, $"'{shown}' is not a valid schedule name: use 1–128 letters, digits, '_', '.', '-' or ':', starting with a letter or digit");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    private static partial Regex Pattern();
}
