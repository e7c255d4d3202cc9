using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Nexus.Server.Api;

/// <summary>
/// Reads request bodies strictly (unknown fields, wrong types and trailing garbage are errors) and turns every
/// failure into a problem that names the field in JSON terms, never in .NET type names: 415 for a body that is not
/// JSON, 413 for one over the size limit, 400 otherwise.
/// </summary>
internal static partial class RequestJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
        };
        options.Converters.Add(new FreeFormJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Reads the body as <typeparamref name="T"/>. An empty body reads as null when <paramref name="allowEmpty"/>.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, bool allowEmpty = false) where T : class
    {
        if (allowEmpty && request.ContentLength == 0) return null;
        if (!IsJson(request.ContentType))
        {
            if (allowEmpty && request.ContentLength is null && string.IsNullOrEmpty(request.ContentType)) return null;
            throw new ApiProblemException(415, "unsupported-media-type", "Unsupported media type",
                $"Send the body as JSON with Content-Type: application/json (got '{Shorten(request.ContentType ?? "none")}').");
        }
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, request.HttpContext.RequestAborted);
            return value ?? (allowEmpty ? null : throw ApiProblemException.Invalid("body", "must be a JSON object, not null"));
        }
        catch (JsonException ex)
        {
            throw Describe(ex);
        }
        catch (BadHttpRequestException ex)
        {
            throw FromBadRequest(ex, request.HttpContext);
        }
    }

    public static ApiProblemException FromBadRequest(BadHttpRequestException ex, HttpContext context)
    {
        if (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            var limit = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            return new ApiProblemException(413, "body-too-large", "Request body too large",
                $"body: larger than this server accepts ({limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the limit"} bytes, Nexus:Server:MaxRequestBodyBytes). Submit large inputs as files and pass their path.", "body");
        }
        return new ApiProblemException(ex.StatusCode, "bad-request", "Bad request", ex.Message);
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Turns a deserialization error into "field: problem".</summary>
    internal static ApiProblemException Describe(JsonException ex)
    {
        var path = FieldOf(ex.Path);
        if (ex is UnstorableJsonTextException free)
        {
            return ApiProblemException.Invalid(((path ?? "body") + free.RelativePath).TrimStart('.'), free.Problem);
        }
        if (IsInvalidUtf8(ex))
        {
            return ApiProblemException.Invalid(path ?? "body", "is not valid UTF-8 text");
        }
        var message = ex.Message;
        var unknown = UnknownMember().Match(message);
        if (unknown.Success)
        {
            // The path already ends with the unknown member, e.g. $.tasks[0].prio.
            var member = unknown.Groups[1].Value;
            var unknownField = path is null ? member : path.EndsWith(member, StringComparison.Ordinal) ? path : $"{path}.{member}";
            return ApiProblemException.Invalid(unknownField, "is not a known field");
        }
        var converted = ConvertedTo().Match(message);
        if (converted.Success)
        {
            return ApiProblemException.Invalid(path ?? "body", $"must be {Expected(converted.Groups[1].Value)}");
        }
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1})" : "";
        var reason = FirstSentence(message);
        var field = path ?? "body";
        return new ApiProblemException(400, "malformed-json", "Malformed JSON", $"{field}: not valid JSON{where}: {reason}", field);
    }

    /// <summary>Whether the reader failed on text that is not valid UTF-8 (the serializer reports it as a value that
    /// could not be converted to a string).</summary>
    private static bool IsInvalidUtf8(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is System.Text.DecoderFallbackException) return true;
        }
        return false;
    }

    private static string? FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return null;
        var field = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
        return field.Length == 0 ? null : field;
    }

    private static string Expected(string dotnetType) => dotnetType switch
    {
        _ when dotnetType.Contains("Guid", StringComparison.Ordinal) => "a UUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        _ when dotnetType.Contains("Int", StringComparison.Ordinal) => "an integer",
        _ when dotnetType.Contains("Double", StringComparison.Ordinal) || dotnetType.Contains("Decimal", StringComparison.Ordinal) || dotnetType.Contains("Single", StringComparison.Ordinal) => "a number",
        _ when dotnetType.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when dotnetType.Contains("DateTime", StringComparison.Ordinal) => "a date-time in ISO 8601 (e.g. 2030-01-01T12:00:00Z)",
        _ when dotnetType.Contains("List", StringComparison.Ordinal) || dotnetType.EndsWith("[]", StringComparison.Ordinal) => "an array",
        _ when dotnetType.Contains("String", StringComparison.Ordinal) => "a string",
        _ => "an object",
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        return Shorten(text.Trim());
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex(@"could not be converted to ([^\s]+?)\.? Path")]
    private static partial Regex ConvertedTo();
}
