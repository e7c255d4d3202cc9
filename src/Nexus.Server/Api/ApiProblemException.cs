namespace Nexus.Server.Api;

/// <summary>An HTTP error to answer with as problem+json. <see cref="Field"/> names the request field at fault.</summary>
internal sealed class ApiProblemException(int status, string code, string title, string detail, string? field = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public string? Field { get; } = field;

    /// <summary>Seconds to put in Retry-After, when set.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiProblemException Invalid(string field, string problem) =>
        new(400, "validation", "Invalid request", $"{field}: {problem}", field);

    public static ApiProblemException NotFound(string what) => new(404, "not-found", "Not found", what);

    public static ApiProblemException Conflict(string code, string detail) => new(409, code, "Conflict", detail);
}
