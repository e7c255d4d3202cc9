using System.Text.RegularExpressions;

namespace Nexus.Tasks;

/// <summary>The rule for queue names: 1–64 characters of letters, digits and <c>_ . -</c>, starting with a letter or digit.
/// Values always travel as SQL parameters; the rule keeps names safe to show, log and use in URLs.</summary>
public static partial class QueueName
{
    /// <summary>The queue used when none is given.</summary>
    public const string Default = "default";

    /// <summary>True when <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    /// <summary>Throws <see cref="TaskValidationException"/> naming <paramref name="field"/> when the name breaks the rule.</summary>
    public static void Validate(string? name, string field = "queue")
    {
        if (!IsValid(name))
        {
            throw new TaskValidationException(field, $"'{Truncate(name)}' is not a valid queue name: use 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
    }

    private static string Truncate(string? s) => s is null ? "(null)" : s.Length <= 80 ? s : s[..80] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex Pattern();
}
