namespace Nexus.Client;

/// <summary>An instance to register with <see cref="ServicesClient.RegisterAsync"/>.</summary>
public sealed record ServiceRegistration
{
    /// <summary>Absolute http(s) URL invokes are forwarded to.</summary>
    public required string BaseUrl { get; init; }
    /// <summary>Version text.</summary>
    public string? Version { get; init; }
    /// <summary>What it can do.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }
    /// <summary>Free string metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>The path Nexus GETs for HTTP checks (e.g. <c>/health</c>).</summary>
    public string? HealthCheckPath { get; init; }
    /// <summary><c>ttl</c> or <c>http</c>. Default (null): http with a health-check path, else ttl.</summary>
    public string? Check { get; init; }
    /// <summary>TTL between heartbeats (<c>30s</c>).</summary>
    public string? Ttl { get; init; }
    /// <summary>Time between HTTP checks (<c>10s</c>).</summary>
    public string? CheckInterval { get; init; }
    /// <summary>Passes in a row before healthy (default 2).</summary>
    public int? PassesToHealthy { get; init; }
    /// <summary>Failures in a row before critical (default 3).</summary>
    public int? FailuresToCritical { get; init; }
    /// <summary>Deregister after being critical this long (default 10m).</summary>
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
/// <param name="InFlight">Invokes in flight to it from the answering node.</param>
/// <param name="RegisteredAt">When it registered.</param>
public sealed record ServiceInstanceInfo(
    string Service, string Id, string Version, string BaseUrl, IReadOnlyList<string> Capabilities, IReadOnlyDictionary<string, string> Metadata,
    string Check, string? HealthCheckPath, string Health, int Passes, int Failures, DateTimeOffset? CriticalSince, DateTimeOffset? LastCheckAt,
    DateTimeOffset LastSeenAt, string? LastError, int InFlight, DateTimeOffset RegisteredAt);

/// <summary>Instances.</summary>
/// <param name="Instances">By service name and id.</param>
public sealed record ServiceInstanceList(IReadOnlyList<ServiceInstanceInfo> Instances);

/// <summary>The answer of a service instance to <see cref="ServicesClient.InvokeAsync"/>, whatever its status (a
/// refusal by Nexus itself — no healthy instance, timeout, forwarding failure, rights — throws
/// <see cref="NexusApiException"/> instead).</summary>
/// <param name="Status">The instance's HTTP status.</param>
/// <param name="Instance">The id of the instance that answered.</param>
/// <param name="ContentType">Its content type, or null.</param>
/// <param name="Headers">Its headers (content headers included), values joined with <c>, </c>.</param>
/// <param name="Body">Its body.</param>
public sealed record ServiceInvokeResponse(int Status, string Instance, string? ContentType, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    /// <summary>True for a 2xx status.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Body.Span);
}
