
namespace Nexus.State;

/// <summary>The rules for state keys and values.</summary>
public static class StateKeys
{
    /// <summary>Longest key, in characters.</summary>
    public const int MaxKeyLength = 512;

    /// <summary>Largest value, in UTF-8 bytes of its JSON text.</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Longest TTL accepted (ten years).</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(3650);

    /// <summary>Throws <see cref="TaskValidationException"/> naming <paramref name="field"/> unless a valid key: 1–512
    /// characters without control characters; <c>/</c>, <c>.</c> and <c>:</c> are ordinary characters, so
    /// <c>users/42/profile</c> can be listed by the prefix <c>users/42/</c>.</summary>
    public static string Key(string? key, string field = "key")
    {
        if (string.IsNullOrEmpty(key)) throw new TaskValidationException(field, "must not be empty");
        if (key.Length > MaxKeyLength) throw new TaskValidationException(field, $"must be at most {MaxKeyLength} characters (was {key.Length})");
        if (key.Any(char.IsControl)) throw new TaskValidationException(field, "must not contain control characters");
        if (key[0] == '$') throw new TaskValidationException(field, "must not start with '$': those keys are Nexus's own (documents, schemas)");
        if (key.Any(char.IsSurrogate) && !IsWellFormed(key)) throw new TaskValidationException(field, "is not valid UTF-16 text (a lone surrogate)");
        return key;
    }

    /// <summary>Throws <see cref="TaskValidationException"/> unless a valid namespace name: 1–64 lower-case letters,
    /// digits, <c>_</c> or <c>-</c>, starting with a letter or digit.</summary>
    public static string Namespace(string? name, string field = "namespace") => Events.Names.Namespace(name, field);

    /// <summary>Throws <see cref="TaskValidationException"/> unless <paramref name="ttl"/> is null or between one
    /// millisecond and <see cref="MaxTtl"/>.</summary>
    public static TimeSpan? Ttl(TimeSpan? ttl, string field = "ttl") =>
        ttl is null || (ttl >= TimeSpan.FromMilliseconds(1) && ttl <= MaxTtl) ? ttl
            : throw new TaskValidationException(field, $"must be between 1 ms and {MaxTtl.TotalDays:0} days");

    /// <summary>Throws <see cref="TaskValidationException"/> unless <paramref name="json"/> is one JSON value of at most
    /// <see cref="MaxValueBytes"/> bytes that both stores can hold (no <c>\u0000</c>: PostgreSQL text refuses it).</summary>
    public static string Value(string? json, string field = "value")
    {
        if (json is null) throw new TaskValidationException(field, "is required");
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxValueBytes) throw new TaskValidationException(field, $"must be at most {MaxValueBytes} bytes of JSON");
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new TaskValidationException(field, $"is not valid JSON ({ex.Message})");
        }
        if (json.Contains("\\u0000", StringComparison.OrdinalIgnoreCase) || json.Contains('\0'))
        {
            throw new TaskValidationException(field, "must not contain the character U+0000");
        }
        return json;
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }
}
