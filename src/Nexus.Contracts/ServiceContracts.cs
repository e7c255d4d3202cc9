namespace Nexus.Contracts;

/// <summary>Registers an instance (<c>PUT /api/v1/services/{name}/instances/{id}</c>).</summary>
public sealed record ServiceRegistrationRequest
{
    /// <summary>An empty registration: set the fields with an initializer.</summary>
    public ServiceRegistrationRequest() { }

    /// <summary>A registration with its required fields; the others with an initializer.</summary>
    public ServiceRegistrationRequest(string baseUrl)
    {
        BaseUrl = baseUrl;
    }

    /// <summary>Absolute http(s) URL invokes are forwarded to.</summary>
    public string? BaseUrl { get; init; }
    /// <summary>Version text.</summary>
    public string? Version { get; init; }
    /// <summary>What it can do.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }
    /// <summary>Free string metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>The path Nexus GETs for HTTP checks (e.g. <c>/health</c>).</summary>
    public string? HealthCheckPath { get; init; }
    /// <summary><c>ttl</c> or <c>http</c>. Default: http with a health-check path, else ttl.</summary>
    public string? Check { get; init; }
    /// <summary>TTL between heartbeats (<c>30s</c>). Default 30 s.</summary>
    public string? Ttl { get; init; }
    /// <summary>Time between HTTP checks (<c>10s</c>). Default 10 s.</summary>
    public string? CheckInterval { get; init; }
    /// <summary>Passes in a row before healthy. Default 2.</summary>
    public int? PassesToHealthy { get; init; }
    /// <summary>Failures in a row before critical. Default 3.</summary>
    public int? FailuresToCritical { get; init; }
    /// <summary>Deregister after being critical this long (<c>10m</c>). Default 10 minutes.</summary>
    public string? DeregisterAfter { get; init; }
}

/// <summary>A registered instance.</summary>
/// <param name="Service">The service's name.</param>
/// <param name="Id">The instance id.</param>
/// <param name="Version">Version text.</param>
/// <param name="BaseUrl">Where invokes go.</param>
/// <param name="Capabilities">What it can do.</param>
/// <param name="Metadata">Free metadata.</param>
/// <param name="Check"><c>ttl</c> or <c>http</c>.</param>
/// <param name="HealthCheckPath">The checked path.</param>
/// <param name="Health"><c>starting</c>, <c>healthy</c> or <c>critical</c>.</param>
/// <param name="Passes">Checks passed in a row.</param>
/// <param name="Failures">Checks failed in a row.</param>
/// <param name="CriticalSince">Since when it is critical.</param>
/// <param name="LastCheckAt">Its latest check.</param>
/// <param name="LastSeenAt">Its latest heartbeat or registration.</param>
/// <param name="LastError">Why its latest check failed.</param>
/// <param name="InFlight">Invokes in flight to it from this node.</param>
/// <param name="RegisteredAt">When it registered.</param>
public sealed record ServiceInstanceResponse(
    string Service, string Id, string Version, string BaseUrl, IReadOnlyList<string> Capabilities, IReadOnlyDictionary<string, string> Metadata,
    string Check, string? HealthCheckPath, string Health, int Passes, int Failures, DateTimeOffset? CriticalSince, DateTimeOffset? LastCheckAt,
    DateTimeOffset LastSeenAt, string? LastError, int InFlight, DateTimeOffset RegisteredAt);

/// <summary>Instances.</summary>
/// <param name="Instances">By service name and id.</param>
public sealed record ServiceListResponse(IReadOnlyList<ServiceInstanceResponse> Instances);
