using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Nexus.Dashboard.Hosting;

/// <summary>The dashboard's stylesheet and scripts, embedded in this assembly and served from it (no CDN, no static
/// web assets manifest: the dashboard works offline and in any host).</summary>
internal static class DashboardAssets
{
    public const string Prefix = "/_dashboard/";

    private static readonly FrozenDictionary<string, (byte[] Bytes, string ContentType)> Files = Load();

    private static FrozenDictionary<string, (byte[] Bytes, string ContentType)> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        const string resourcePrefix = "Nexus.Dashboard.Assets.";
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(resourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[resourcePrefix.Length..];
            files[file] = (copy.ToArray(), ContentTypeOf(file));
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string file) => Path.GetExtension(file) switch
    {
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    /// <summary>The asset's URL, with a version so that a new build is fetched anew.</summary>
    public static string Url(string file) => Prefix + file + "?v=" + Version;

    private static readonly string Version = typeof(DashboardAssets).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12];

    public static IResult Serve(HttpContext context, string file)
    {
        if (!Files.TryGetValue(file, out var asset)) return Results.NotFound();
        SecurityHeaders.Apply(context.Response, isAsset: true);
        context.Response.Headers.CacheControl = "public, max-age=86400";
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
