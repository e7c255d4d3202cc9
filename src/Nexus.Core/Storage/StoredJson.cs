using System.Text.Json;
using Nexus.Tasks;

namespace Nexus.Storage;

/// <summary>The one JSON layout of the structured columns (errors, tags, retry policy, progress) that every driver stores.
/// Drivers call these instead of inventing their own, so rows read the same on SQLite and PostgreSQL. The readers never
/// throw on a column of the wrong shape (a hand edit, a bug of an older version): it reads as empty (or null), so one row
/// never fails a whole list, and cancel and delete still work on it.</summary>
public static class StoredJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>One attempt error as a JSON object: {attempt, at, type, message, stackTrace}.</summary>
    public static string Error(AttemptError error) => JsonSerializer.Serialize(error, Options);

    /// <summary>Reads the errors array (null or empty text reads as none).</summary>
    public static IReadOnlyList<AttemptError> Errors(string? json) =>
        IsEmptyArray(json) ? [] : Lenient(json, static j => JsonSerializer.Deserialize<List<AttemptError>>(j, Options)) ?? [];

    /// <summary>Tags as a JSON array of strings.</summary>
    public static string Tags(IReadOnlyList<string> tags) => tags.Count == 0 ? "[]" : JsonSerializer.Serialize(tags, Options);

    // Most rows have no tags and no errors: skip the parser for them (claims read every column of every row).
    private static bool IsEmptyArray([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] string? json) => string.IsNullOrEmpty(json) || json is "[]" || json.AsSpan().Trim() is "[]";

    /// <summary>Reads a tags array.</summary>
    public static IReadOnlyList<string> Tags(string? json) =>
        IsEmptyArray(json) ? [] : Lenient(json, static j => JsonSerializer.Deserialize<List<string>>(j, Options)) ?? [];

    /// <summary>A retry policy as {initialDelayMs, multiplier, maxDelayMs, jitter}, or null.</summary>
    public static string? Retry(RetryPolicy? retry) => retry is null ? null : JsonSerializer.Serialize(
        new StoredRetry(retry.InitialDelay.TotalMilliseconds, retry.Multiplier, retry.MaxDelay.TotalMilliseconds, retry.Jitter), Options);

    /// <summary>Reads a retry policy, or null. Delays out of range (a row written before <see cref="TaskBounds"/>, or by
    /// hand) read clamped to 0..<see cref="TaskBounds.MaxRetryDelay"/> rather than failing the read.</summary>
    public static RetryPolicy? Retry(string? json)
    {
        if (string.IsNullOrEmpty(json) || Lenient(json, static j => JsonSerializer.Deserialize<StoredRetry>(j, Options)) is not { } r) return null;
        return new RetryPolicy
        {
            InitialDelay = TaskBounds.RetryDelayFromMilliseconds(r.InitialDelayMs),
            Multiplier = r.Multiplier,
            MaxDelay = TaskBounds.RetryDelayFromMilliseconds(r.MaxDelayMs),
            Jitter = r.Jitter,
        };
    }

    /// <summary>Progress as {fraction, message}.</summary>
    public static string Progress(TaskProgress progress) => JsonSerializer.Serialize(progress, Options);

    /// <summary>Reads progress, or null.</summary>
    public static TaskProgress? Progress(string? json) =>
        string.IsNullOrEmpty(json) ? null : Lenient(json, static j => JsonSerializer.Deserialize<TaskProgress>(j, Options));

    /// <summary>The error recorded when a lease expires and the task is rescued.</summary>
    public static AttemptError LeaseExpired(int attempt, DateTimeOffset at, string? node) =>
        new(attempt, at, "LeaseExpired", $"The lease held by {node ?? "a worker"} expired before the attempt finished (worker crashed, froze or lost the database).", null);

    private static T? Lenient<T>(string json, Func<string, T?> read) where T : class
    {
        try
        {
            return read(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record StoredRetry(double InitialDelayMs, double Multiplier, double MaxDelayMs, double Jitter);
}
