using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/services</c>: the service registry and invoke. Reached through <see cref="NexusClient.Services"/>.</summary>
public sealed class ServicesClient
{
    private readonly NexusHttp _http;

    internal ServicesClient(NexusHttp http) => _http = http;

    /// <summary>Registers (or re-registers) an instance.</summary>
    public Task<ServiceInstanceInfo> RegisterAsync(string service, string id, ServiceRegistration registration, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Put, $"api/v1/services/{QueryString.Segment(service)}/instances/{QueryString.Segment(id)}",
            NexusHttp.Json(registration, ClientJson.Default.ServiceRegistration), ClientJson.Default.ServiceInstanceInfo, cancellationToken);

    /// <summary>A TTL heartbeat.</summary>
    public Task<ServiceInstanceInfo> HeartbeatAsync(string service, string id, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/services/{QueryString.Segment(service)}/instances/{QueryString.Segment(id)}/heartbeat", null, ClientJson.Default.ServiceInstanceInfo, cancellationToken);

    /// <summary>Deregisters an instance.</summary>
    public Task DeregisterAsync(string service, string id, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"api/v1/services/{QueryString.Segment(service)}/instances/{QueryString.Segment(id)}", cancellationToken);

    /// <summary>Instances, filtered by service, capabilities (all must match) and health.</summary>
    public async Task<IReadOnlyList<ServiceInstanceInfo>> ListAsync(string? service = null, IReadOnlyList<string>? capabilities = null, string? health = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryString("api/v1/services").Add("service", service).Add("health", health);
        foreach (var c in capabilities ?? []) query.Add("capability", c);
        return (await _http.GetAsync(query.ToString(), ClientJson.Default.ServiceInstanceList, cancellationToken).ConfigureAwait(false)).Instances;
    }
}
