using Microsoft.Extensions.Options;
using Nexus.Dashboard.Access;
using Nexus.Plugins.Samples;
using Nexus.Server.Api;

namespace Nexus.Server.Dashboard;

/// <summary>The artifacts page over <see cref="ArtifactFiles"/>, the listing of <c>/api/v1/artifacts</c>; downloads go
/// through <see cref="ArtifactEndpoints"/>' own download, mapped again at <see cref="Prefix"/> under the dashboard's
/// cookie.</summary>
internal sealed class ServerDashboardArtifacts(IOptions<SamplePluginsOptions> options) : IDashboardArtifacts
{
    public const string Prefix = "/_dashboard/artifacts/";

    public (IReadOnlyList<DashboardArtifact> Items, string? Next, string? Error) List(string prefix, string? after, int limit)
    {
        try
        {
            var (files, paths, next) = new ArtifactFiles(options.Value.ArtifactsRoot).List(prefix, after, limit);
            return ([.. files.Select((f, i) => new DashboardArtifact(paths[i], f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))], next, null);
        }
        catch (ApiProblemException ex)
        {
            return ([], null, ex.Message);
        }
    }

    public string DownloadPath(string path) => Prefix + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
