namespace Nexus.Dashboard.Access;

/// <summary>Where a sign-in may return to: only a path on this server, never another site (no open redirect), and
/// never the login pages themselves.</summary>
public static class ReturnUrls
{
    /// <summary><paramref name="url"/> when it is a local path, else <c>/</c>.</summary>
    public static string Local(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            && !url.Contains("/login", StringComparison.OrdinalIgnoreCase)
            ? url
            : "/";
}
