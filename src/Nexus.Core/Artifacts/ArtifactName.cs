namespace Nexus.Artifacts;

/// <summary>
/// The rule for artifact names, one for every store: 1 to 512 characters of segments joined by <c>/</c>; a segment is
/// 1 to 128 characters of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, <c>=</c> or <c>+</c>, and does not start with
/// <c>.</c> (so neither <c>.</c> nor <c>..</c>, and a store's own hidden files never clash with a name). So there is no
/// absolute path, no backslash, no empty segment and no way out of a root.
/// Prefixes (for listing) follow the same rule except that they may be empty and may end with <c>/</c>.
/// </summary>
public static class ArtifactName
{
    /// <summary>The longest name.</summary>
    public const int MaxLength = 512;

    /// <summary>The longest segment.</summary>
    public const int MaxSegment = 128;

    /// <summary>What is wrong with <paramref name="name"/>, or null when it is a valid name.</summary>
    public static string? Problem(string? name) => Problem(name, prefix: false);

    /// <summary>What is wrong with a listing prefix, or null when it is valid.</summary>
    public static string? PrefixProblem(string? prefix) => Problem(prefix, prefix: true);

    /// <summary>Throws <see cref="ArtifactNameException"/> naming <paramref name="field"/> unless the name is valid.</summary>
    public static string Validate(string? name, string field = "name") =>
        Problem(name) is { } problem ? throw new ArtifactNameException(field, problem) : name!;

    /// <summary>Throws <see cref="ArtifactNameException"/> naming <paramref name="field"/> unless the prefix is valid.</summary>
    public static string ValidatePrefix(string? prefix, string field = "prefix") =>
        PrefixProblem(prefix) is { } problem ? throw new ArtifactNameException(field, problem) : prefix ?? "";

    private static string? Problem(string? name, bool prefix)
    {
        if (string.IsNullOrEmpty(name)) return prefix ? null : "must not be empty";
        if (name.Length > MaxLength) return $"is {name.Length} characters long; the limit is {MaxLength}";
        if (name[0] == '/') return "must be relative (it starts with '/')";
        var body = prefix && name[^1] == '/' ? name[..^1] : name;
        foreach (var segment in body.Split('/'))
        {
            if (segment.Length == 0) return "has an empty segment ('//' or a trailing '/')";
            if (segment[0] == '.') return segment is "." or ".." ? $"has a '{segment}' segment" : $"has a segment starting with '.' ('{segment}')";
            if (segment.Length > MaxSegment) return $"has a segment of {segment.Length} characters; the limit is {MaxSegment}";
            foreach (var ch in segment)
            {
                if (!IsAllowed(ch)) return $"has the character {Describe(ch)}; use letters, digits and . _ - = + between '/'";
            }
        }
        return null;
    }

    private static bool IsAllowed(char ch) => ch is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or '=' or '+';

    private static string Describe(char ch) => char.IsControl(ch) || char.IsWhiteSpace(ch)
        ? $"U+{(int)ch:X4}"
        : $"'{ch}'";
}

/// <summary>An artifact name or prefix that breaks <see cref="ArtifactName"/>'s rule.</summary>
public sealed class ArtifactNameException(string field, string problem) : NexusException("validation", $"{field}: {problem}")
{
    /// <summary>The field at fault.</summary>
    public string Field { get; } = field;
}
