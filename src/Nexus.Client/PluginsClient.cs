using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/plugins</c>: the registered plugins with their args schemas. Reached through
/// <see cref="NexusClient.Plugins"/>.</summary>
public sealed class PluginsClient
{
    private readonly NexusHttp _http;

    internal PluginsClient(NexusHttp http) => _http = http;

    /// <summary>Every registered plugin.</summary>
    public Task<IReadOnlyList<PluginResponse>> ListAsync(CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/plugins", ClientJson.Default.IReadOnlyListPluginResponse, cancellationToken);

    /// <summary>One plugin with the JSON schema of its args.</summary>
    /// <exception cref="NexusApiException"><c>not-found</c> when no plugin has that name.</exception>
    public Task<PluginResponse> GetAsync(string name, CancellationToken cancellationToken = default) =>
        _http.GetAsync("api/v1/plugins/" + QueryString.Segment(name), ClientJson.Default.PluginResponse, cancellationToken);
}
