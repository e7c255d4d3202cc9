using System.Globalization;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary>Parses query and route values, answering bad ones with a problem that names the parameter.</summary>
internal static class QueryValues
{
    public static long Id(string value, string field = "id") =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw ApiProblemException.Invalid(field, "must be a positive integer");

    public static int? Int(string? value, string field, int min, int max)
    {
        if (value is null) return null;
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) throw ApiProblemException.Invalid(field, "must be an integer");
        if (n < min || n > max) throw ApiProblemException.Invalid(field, $"must be between {min} and {max} (was {n})");
        return n;
    }

    public static long? Cursor(string? value, string field = "before") => value is null ? null : Id(value, field);

    public static DateTimeOffset? Time(string? value, string field)
    {
        if (value is null) return null;
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw ApiProblemException.Invalid(field, "must be a date-time in ISO 8601 (e.g. 2030-01-01T12:00:00Z)");
    }

    public static TaskState? State(string? value, string field = "state")
    {
        if (value is null) return null;
        return TaskStates.TryParse(value, out var state)
            ? state
            : throw ApiProblemException.Invalid(field, $"'{Shorten(value)}' is not a task state (one of {string.Join(", ", TaskStates.All.Select(s => s.ToName()))})");
    }

    public static string? Queue(string? value, string field = "queue")
    {
        if (value is null) return null;
        if (!QueueName.IsValid(value)) throw ApiProblemException.Invalid(field, $"'{Shorten(value)}' is not a valid queue name: use 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        return value;
    }

    public static string? Text(string? value, string field, int maxLength = 255)
    {
        if (value is null) return null;
        if (value.Length == 0 || value.Length > maxLength) throw ApiProblemException.Invalid(field, $"must be 1–{maxLength} characters");
        return value;
    }

    public static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";

    /// <summary>A search inside args: <c>argsPath</c> (dotted) and <c>argsValue</c> (a JSON scalar, else a string).</summary>
    public static Storage.ArgsMatch? Args(string? path, string? value)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return string.IsNullOrEmpty(value) ? null : throw ApiProblemException.Invalid("argsPath", "is required with argsValue (a dotted path such as image.width)");
        }
        try
        {
            return Storage.ArgsMatch.Parse(path, value ?? "");
        }
        catch (TaskValidationException ex)
        {
            var field = ex.Field == "args.path" ? "argsPath" : "argsValue";
            throw ApiProblemException.Invalid(field, ex.Problem);
        }
    }
}
