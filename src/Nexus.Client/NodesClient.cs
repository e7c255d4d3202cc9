using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/nodes</c>: the engine processes and external workers of the cluster, with their last heartbeat
/// and running attempts. Reached through <see cref="NexusClient.Nodes"/>.</summary>
public sealed class NodesClient
{
    private readonly NexusHttp _http;

    internal NodesClient(NexusHttp http) => _http = http;

    /// <summary>Every known node.</summary>
    public async Task<IReadOnlyList<NodeResponse>> ListAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _http.GetAsync("api/v1/nodes", ClientJson.Default.NodeListResponse, cancellationToken).ConfigureAwait(false);
        return answer.Nodes;
    }
}
