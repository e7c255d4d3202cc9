namespace Nexus.Server.GraphQl;

/// <summary>The playground at <c>/graphql/playground</c>: a page, a script and a style sheet embedded in the server (no
/// CDN), under a strict Content-Security-Policy of their own: scripts, styles and fetches from this server only. The
/// page holds no data; the queries it sends need credentials like any other.</summary>
internal static class GraphQlPlayground
{
    public const string Path = "/graphql/playground";

    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly Dictionary<string, (string Resource, string ContentType)> Files = new(StringComparer.Ordinal)
    {
        [""] = ("playground.html", "text/html; charset=utf-8"),
        ["playground.js"] = ("playground.js", "text/javascript; charset=utf-8"),
        ["playground.css"] = ("playground.css", "text/css; charset=utf-8"),
    };

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext http) => ServeAsync(http, "")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(Path + "/{file}", (HttpContext http, string file) => ServeAsync(http, file)).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task ServeAsync(HttpContext http, string file)
    {
        if (!Files.TryGetValue(file, out var entry))
        {
            http.Response.StatusCode = 404;
            return;
        }
        await using var stream = typeof(GraphQlPlayground).Assembly.GetManifestResourceStream("Nexus.Server.GraphQl.Playground." + entry.Resource)
            ?? throw new InvalidOperationException($"The playground's {entry.Resource} is not embedded in the server.");
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = Csp;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        http.Response.ContentType = entry.ContentType;
        await stream.CopyToAsync(http.Response.Body, http.RequestAborted);
    }
}
