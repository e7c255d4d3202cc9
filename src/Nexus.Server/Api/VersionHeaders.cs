using System.Globalization;

namespace Nexus.Server.Api;

/// <summary>A version as an HTTP validator: the ETag <c>"3"</c> of state keys and documents, and the expected version
/// a write names with <c>If-Match: "3"</c> (or <c>If-None-Match: *</c>: the key must not exist, version 0).</summary>
internal static class VersionHeaders
{
    public static string Tag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The expected version: <paramref name="given"/> (from a body or query) when set, else the request's
    /// <c>If-Match</c> / <c>If-None-Match: *</c>, else null (write whatever the version).</summary>
    public static long? Expected(HttpContext http, long? given)
    {
        if (given is not null) return given;
        var ifMatch = http.Request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length > 0)
        {
            return long.TryParse(ifMatch.TrimStart('W', '/').Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw ApiProblemException.Invalid("If-Match", "must be a version as the ETag gives it, e.g. \"3\"");
        }
        return http.Request.Headers.IfNoneMatch.ToString().Trim() == "*" ? 0 : null;
    }
}
