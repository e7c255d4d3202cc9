using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;
using Nexus.Plugins.Samples;
using Nexus.Contracts;
using Nexus.Server.Auth;

namespace Nexus.Server.Api;

/// <summary><c>/api/v1/artifacts</c>: what the sample plugins wrote under the artifacts root (<c>Nexus:ArtifactsRoot</c>),
/// listed and downloaded read-only. Reading needs <see cref="Right.Read"/> (admin, operator, viewer). Artifacts belong to
/// no queue, so a caller limited to queues is refused (403 <c>artifacts-forbidden</c>): a key scoped to one queue must
/// not read what another queue's tasks wrote.</summary>
internal static class ArtifactEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void MapArtifactEndpoints(this RouteGroupBuilder api)
    {
        var artifacts = api.MapGroup("/artifacts").WithTags("Artifacts");
        artifacts.MapGet("", List).Require(Right.Read)
            .WithSummary("List the files under the artifacts root in path order (keyset pagination with after)")
            .Produces<ArtifactListResponse>().ProducesCommonProblems(400);
        artifacts.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], Download).Require(Right.Read)
            .WithSummary("Download a file under the artifacts root (Range requests supported)")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream")
            .ProducesCommonProblems(400, 404, 416);
    }

    private static IResult List(HttpContext http, IOptions<SamplePluginsOptions> options,
        [FromQuery] string? prefix, [FromQuery] string? after, [FromQuery] string? limit)
    {
        EnsureUnscoped(http);
        var size = QueryValues.Int(limit, "limit", 1, 1000) ?? 100;
        var files = new ArtifactFiles(options.Value.ArtifactsRoot);
        var (found, paths, next) = files.List(QueryValues.Text(prefix, "prefix", 1024) ?? "", QueryValues.Text(after, "after", 1024), size);
        var items = found.Select((f, i) => new ArtifactResponse(paths[i], f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero))).ToList();
        return Results.Ok(new ArtifactListResponse(items, next));
    }

    internal static IResult Download(HttpContext http, IOptions<SamplePluginsOptions> options, string path)
    {
        EnsureUnscoped(http);
        // The server decodes a path except its %2F, which a catch-all value keeps: a slash is a slash here too.
        var relative = path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var real = new ArtifactFiles(options.Value.ArtifactsRoot).Find(relative);
        var file = new FileInfo(real);
        if (!ContentTypes.TryGetContentType(file.Name, out var contentType)) contentType = "application/octet-stream";
        // Served as data, never as a page of this origin: no sniffing, no scripts, even for an .html or .svg file.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        var tag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{file.Length:x}-{modified.UtcTicks:x}\"");
        return Results.File(real, contentType, lastModified: modified, entityTag: tag, enableRangeProcessing: true);
    }

    /// <summary>Fails closed for callers limited to queues: the files carry no queue to check against.</summary>
    private static void EnsureUnscoped(HttpContext http)
    {
        var caller = Caller.From(http.User);
        if (caller.Queues is { } queues)
        {
            throw new ApiProblemException(403, "artifacts-forbidden", "Artifacts not allowed",
                $"Artifacts belong to no queue, so a caller limited to queues ({string.Join(", ", queues.Order(StringComparer.Ordinal))}) may not read them; use a key or token without a queue limit.");
        }
    }
}
