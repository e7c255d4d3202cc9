using Nexus.Server.Api;

namespace Nexus.Server.Live;

/// <summary>The live endpoints' Origin rule: a handshake without an <c>Origin</c> header (a server, a CLI) passes;
/// a browser's passes when its origin is the server's own (same host and port) or one of
/// <see cref="LiveServerOptions.AllowedOrigins"/>; any other is refused, so another site's page cannot open a
/// connection with a visitor's cookies or token.</summary>
internal static class OriginCheck
{
    public static void Ensure(HttpContext http, LiveServerOptions options)
    {
        var origin = http.Request.Headers.Origin.FirstOrDefault();
        if (string.IsNullOrEmpty(origin)) return;
        if (options.AllowedOrigins.Contains("*") || options.AllowedOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))) return;
        if (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)) return;
        throw new ApiProblemException(403, "origin-forbidden", "Forbidden", $"Origin '{QueryValues.Shorten(origin)}' may not open live connections (Nexus:Live:AllowedOrigins).");
    }
}
