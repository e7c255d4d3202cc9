using System.Runtime.CompilerServices;
using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/artifacts</c>: the files the plugins wrote under the server's artifacts root, listed and
/// downloaded (read-only). Needs a role that reads (admin, operator, viewer) and no queue limit. Reached through
/// <see cref="NexusClient.Artifacts"/>.</summary>
public sealed class ArtifactsClient
{
    private readonly NexusHttp _http;

    internal ArtifactsClient(NexusHttp http) => _http = http;

    /// <summary>One page of the files whose path starts with <paramref name="prefix"/> (<c>images/</c> for a folder;
    /// null for all), after the cursor <paramref name="after"/> (a previous page's <see cref="ArtifactListResponse.Next"/>),
    /// at most <paramref name="limit"/> (1–1000; the server's default is 100).</summary>
    /// <exception cref="NexusApiException"><c>validation</c> naming <c>prefix</c> for a path outside the root;
    /// <c>artifacts-forbidden</c> for a queue-limited key.</exception>
    public Task<ArtifactListResponse> ListAsync(string? prefix = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        _http.GetAsync(new QueryString("api/v1/artifacts").Add("prefix", prefix).Add("after", after).Add("limit", limit).ToString(),
            ClientJson.Default.ArtifactListResponse, cancellationToken);

    /// <summary>Every file under <paramref name="prefix"/>, page after page.</summary>
    public async IAsyncEnumerable<ArtifactResponse> ListAllAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var page = await ListAsync(prefix, after, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items) yield return item;
            after = page.Next;
        }
        while (after is not null);
    }

    /// <summary>Streams the file at <paramref name="path"/> (relative to the root, forward slashes) into
    /// <paramref name="destination"/>, which the caller owns.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> (404) when there is no such file; <c>validation</c>
    /// naming <c>path</c> for an absolute path, a <c>..</c> segment or a link out of the root.</exception>
    public Task<ArtifactDownload> DownloadAsync(string path, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(destination);
        // Each segment escaped on its own, so the path keeps its slashes and a name with '?' or '#' still arrives whole.
        var url = "api/v1/artifacts/" + string.Join('/', path.Split('/').Select(QueryString.Segment));
        return _http.DownloadAsync(url, destination, path, cancellationToken);
    }
}
