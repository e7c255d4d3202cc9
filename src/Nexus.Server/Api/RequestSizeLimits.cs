namespace Nexus.Server.Api;

/// <summary>
/// The request-line and header limits, answered as problem+json. Kestrel enforces its own limits before any middleware
/// runs and answers them with an empty body, so Kestrel's are set well above these (<see cref="KestrelRequestLine"/>,
/// <see cref="KestrelHeaders"/>) and this middleware, first in the pipeline, refuses what passes <see cref="MaxTarget"/>
/// or <see cref="MaxHeaders"/> with 414 <c>uri-too-long</c> or 431 <c>headers-too-large</c>. Only requests beyond
/// Kestrel's own limits, or that are not HTTP at all, still get Kestrel's bare answer.
/// </summary>
internal static class RequestSizeLimits
{
    /// <summary>Longest path and query, in bytes (Kestrel's default request line is 8 KiB).</summary>
    public const int MaxTarget = 8 * 1024;

    /// <summary>Largest header block, in bytes (Kestrel's default is 32 KiB).</summary>
    public const int MaxHeaders = 32 * 1024;

    /// <summary>Kestrel's own request-line limit: past it, Kestrel answers an empty 414.</summary>
    public const int KestrelRequestLine = 64 * 1024;

    /// <summary>Kestrel's own header limit: past it, Kestrel answers an empty 431.</summary>
    public const int KestrelHeaders = 128 * 1024;

    public static IApplicationBuilder UseRequestSizeLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var target = System.Text.Encoding.UTF8.GetByteCount(request.PathBase + request.Path) + (request.QueryString.Value?.Length ?? 0);
        if (target > MaxTarget)
        {
            await Problems.WriteAsync(context, StatusCodes.Status414UriTooLong, "uri-too-long", "URI too long",
                $"The path and query are {target} bytes; at most {MaxTarget} are accepted. Send long input in a request body.");
            return;
        }
        var headers = 0;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values) headers += name.Length + (value?.Length ?? 0) + 4;
        }
        if (headers > MaxHeaders)
        {
            await Problems.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "headers-too-large", "Request headers too large",
                $"The request headers are {headers} bytes; at most {MaxHeaders} are accepted.");
            return;
        }
        await next(context);
    });
}
