using Nexus.Client.Http;

namespace Nexus.Client;

/// <summary><c>/api/v1/services</c>: the service registry and invoke. Reached through <see cref="NexusClient.Services"/>.</summary>
public sealed class ServicesClient
{
    private readonly NexusHttp _http;

    internal ServicesClient(NexusHttp http) => _http = http;

    /// <summary>Registers (or re-registers) an instance.</summary>
    public Task<ServiceInstanceResponse> RegisterAsync(string service, string id, ServiceRegistrationRequest registration, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Put, $"api/v1/services/{QueryString.Segment(service)}/instances/{QueryString.Segment(id)}",
            NexusHttp.Json(registration, ClientJson.Default.ServiceRegistrationRequest), ClientJson.Default.ServiceInstanceResponse, cancellationToken);

    /// <summary>A TTL heartbeat.</summary>
    public Task<ServiceInstanceResponse> HeartbeatAsync(string service, string id, CancellationToken cancellationToken = default) =>
        _http.PostAsync($"api/v1/services/{QueryString.Segment(service)}/instances/{QueryString.Segment(id)}/heartbeat", null, ClientJson.Default.ServiceInstanceResponse, cancellationToken);

    /// <summary>Deregisters an instance.</summary>
    public Task DeregisterAsync(string service, string id, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"api/v1/services/{QueryString.Segment(service)}/instances/{QueryString.Segment(id)}", cancellationToken);

    /// <summary>Instances, filtered by service, capabilities (all must match) and health.</summary>
    public async Task<IReadOnlyList<ServiceInstanceResponse>> ListAsync(string? service = null, IReadOnlyList<string>? capabilities = null, string? health = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryString("api/v1/services").Add("service", service).Add("health", health);
        foreach (var c in capabilities ?? []) query.Add("capability", c);
        return (await _http.GetAsync(query.ToString(), ClientJson.Default.ServiceListResponse, cancellationToken).ConfigureAwait(false)).Instances;
    }

    /// <summary>The response header Nexus adds to an instance's answer relayed by invoke: the id of that instance.</summary>
    public const string InstanceHeader = "Nexus-Invoke-Instance";

    /// <summary>Forwards a request to a healthy, least-loaded instance of <paramref name="service"/> (<c>/api/v1/services/{name}/invoke/{path}</c>)
    /// and returns the instance's answer whatever its status. <paramref name="path"/> may carry a query
    /// (<c>invoices/42?draft=1</c>). Throws <see cref="NexusApiException"/> when Nexus itself answers: 503
    /// <c>no-healthy-instance</c>, 504 <c>invoke-timeout</c>, 502 <c>invoke-failed</c>, 403 <c>invoke-refused</c>.</summary>
    /// <param name="service">The service's name.</param>
    /// <param name="path">The path below the instance's base URL, with an optional query.</param>
    /// <param name="method">GET (default), POST, PUT or DELETE.</param>
    /// <param name="body">The body to forward, or null.</param>
    /// <param name="timeout">The invoke's timeout (the <c>Nexus-Invoke-Timeout</c> header); default the server's 30 s.</param>
    /// <param name="headers">Extra request headers to forward.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ServiceInvokeResponse> InvokeAsync(string service, string path, HttpMethod? method = null, HttpContent? body = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(path);
        method ??= HttpMethod.Get;
        if (method != HttpMethod.Get && method != HttpMethod.Post && method != HttpMethod.Put && method != HttpMethod.Delete)
        {
            throw new ArgumentException($"Invoke forwards GET, POST, PUT or DELETE, not {method}.", nameof(method));
        }
        var sent = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        if (timeout is { } t)
        {
            if (t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "must be above zero");
            sent["Nexus-Invoke-Timeout"] = ((long)Math.Ceiling(t.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms";
        }
        var trimmed = path.TrimStart('/');
        var q = trimmed.IndexOf('?', StringComparison.Ordinal);
        var segments = (q < 0 ? trimmed : trimmed[..q]).Split('/').Select(Uri.EscapeDataString);
        var target = $"api/v1/services/{QueryString.Segment(service)}/invoke/{string.Join('/', segments)}{(q < 0 ? "" : trimmed[q..])}";
        var answer = await _http.ExchangeAsync(method, target, body, sent, InstanceHeader, cancellationToken).ConfigureAwait(false);
        return new ServiceInvokeResponse(answer.Status, answer.Forwarded ?? "", answer.ContentType, answer.Headers, answer.Body);
    }
}
