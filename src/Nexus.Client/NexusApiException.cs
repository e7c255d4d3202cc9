using System.Net;

namespace Nexus.Client;

/// <summary>The server refused a request and said why in an RFC 9457 problem (<c>application/problem+json</c>).
/// <see cref="Exception.Message"/> is the problem's <see cref="Detail"/>.</summary>
public sealed class NexusApiException : Exception
{
    /// <summary>Creates the exception from a problem's parts.</summary>
    public NexusApiException(HttpStatusCode status, string code, string title, string detail, string? field = null,
        string? traceId = null, TimeSpan? retryAfter = null, string? type = null, string? instance = null)
        : base(detail)
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        Field = field;
        TraceId = traceId;
        RetryAfter = retryAfter;
        Type = type;
        Instance = instance;
    }

    /// <summary>Creates an exception with only a message (code <c>unknown</c>, status 500).</summary>
    public NexusApiException() : this(HttpStatusCode.InternalServerError, "unknown", "Error", "The server refused the request.")
    {
    }

    /// <summary>Creates an exception with only a message (code <c>unknown</c>, status 500).</summary>
    public NexusApiException(string message) : this(HttpStatusCode.InternalServerError, "unknown", "Error", message)
    {
    }

    /// <summary>Creates an exception with only a message (code <c>unknown</c>, status 500) and a cause.</summary>
    public NexusApiException(string message, Exception innerException) : base(message, innerException)
    {
        Status = HttpStatusCode.InternalServerError;
        Code = "unknown";
        Title = "Error";
        Detail = message;
    }

    /// <summary>The HTTP status, e.g. 400, 404, 409, 429.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The stable machine-readable code, e.g. <c>validation</c>, <c>unknown-plugin</c>, <c>not-found</c>,
    /// <c>queue-full</c> (docs/api.md lists them).</summary>
    public string Code { get; }

    /// <summary>A short human title, e.g. <c>Invalid request</c>.</summary>
    public string Title { get; }

    /// <summary>What is wrong, in one sentence; starts with <see cref="Field"/> when a field is at fault.</summary>
    public string Detail { get; }

    /// <summary>The field at fault, when one is: a JSON path into the body (<c>args.width</c>, <c>tasks[2].queue</c>)
    /// or a query or route parameter (<c>limit</c>, <c>id</c>); null otherwise.</summary>
    public string? Field { get; }

    /// <summary>The server's trace id of the request, to find it in the server's logs.</summary>
    public string? TraceId { get; }

    /// <summary>When to try again (the <c>Retry-After</c> header of a 429 or 503), or null.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The problem's type URI, e.g. <c>urn:nexus:problem:validation</c>.</summary>
    public string? Type { get; }

    /// <summary>The request path the problem is about.</summary>
    public string? Instance { get; }
}
