using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Nexus.Server.Api;

/// <summary>Writes RFC 9457 problem+json responses. Every problem has a stable <c>code</c> extension (also the last part
/// of its <c>type</c>) and, when a request field is at fault, a <c>field</c> extension naming it (a JSON path such as
/// <c>args.width</c> or <c>tasks[2].queue</c>, or a query parameter name).</summary>
internal static class Problems
{
    public const string TypePrefix = "urn:nexus:problem:";

    public static ProblemDetails Create(HttpContext context, int status, string code, string title, string detail, string? field = null)
    {
        var problem = new ProblemDetails
        {
            Type = TypePrefix + code,
            Title = title,
            Status = status,
            Detail = detail,
            Instance = context.Request.Path,
        };
        problem.Extensions["code"] = code;
        if (field is not null) problem.Extensions["field"] = field;
        return problem;
    }

    public static async Task WriteAsync(HttpContext context, int status, string code, string title, string detail, string? field = null, int? retryAfterSeconds = null,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = WithExtensions(Create(context, status, code, title, detail, field), extensions),
        });
    }

    private static ProblemDetails WithExtensions(ProblemDetails problem, IReadOnlyDictionary<string, object?>? extensions)
    {
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[name] = value;
        return problem;
    }

    public static Task WriteAsync(HttpContext context, ApiProblemException ex) =>
        WriteAsync(context, ex.Status, ex.Code, ex.Title, ex.Message, ex.Field, ex.RetryAfterSeconds);
}
