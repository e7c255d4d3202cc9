using Microsoft.AspNetCore.Http;

namespace Nexus.Dashboard.Hosting;

/// <summary>The headers every dashboard response carries: a strict Content-Security-Policy (only this server's own
/// scripts, styles and fetches; no inline script, no framing, forms post only here), no sniffing, no referrer, and no
/// caching of pages that show data.</summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response, bool isAsset)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (!isAsset) headers.CacheControl = "no-store";
    }
}
