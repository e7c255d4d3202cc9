namespace Nexus.Services;

/// <summary>How an instance proves it is alive.</summary>
public enum ServiceCheckMode
{
    /// <summary>It calls heartbeat at least once per TTL; a missed TTL counts as a failed check.</summary>
    Ttl,
    /// <summary>Nexus GETs its health-check path every check interval; a 2xx answer within the timeout passes.</summary>
    Http,
}

/// <summary>An instance's health after flap damping.</summary>
public enum ServiceHealth
{
    /// <summary>Registered, not yet passed enough checks to be healthy. Not chosen for invokes.</summary>
    Starting,
    /// <summary>Passed enough checks in a row; chosen for invokes.</summary>
    Healthy,
    /// <summary>Failed enough checks in a row; not chosen, and deregistered after being critical too long.</summary>
    Critical,
}

/// <summary>A service instance registering itself (or being registered).</summary>
public sealed record ServiceRegistration
{
    /// <summary>The service's name: 1–64 letters, digits, <c>_ . -</c>.</summary>
    public required string Name { get; init; }
    /// <summary>This instance's id, unique within the service: 1–128 letters, digits, <c>_ . - :</c>.</summary>
    public required string Id { get; init; }
    /// <summary>Free version text, at most 64 characters.</summary>
    public string Version { get; init; } = "";
    /// <summary>Absolute http(s) URL invokes are forwarded to.</summary>
    public required Uri BaseUrl { get; init; }
    /// <summary>What it can do (filterable), at most 32 of 1–64 characters.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    /// <summary>Free string metadata, at most 32 entries.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>The path Nexus GETs in <see cref="ServiceCheckMode.Http"/> mode (e.g. <c>/health</c>).</summary>
    public string? HealthCheckPath { get; init; }
    /// <summary>TTL heartbeats or Nexus's HTTP checks. Default: HTTP when a health-check path is given, else TTL.</summary>
    public ServiceCheckMode? CheckMode { get; init; }
    /// <summary>TTL mode: longest gap between heartbeats. Default 30 s; 1 s to 1 day.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>HTTP mode: time between checks. Default 10 s; 100 ms to 1 hour.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Checks passed in a row before a starting or critical instance is healthy. Default 2 (1–100).</summary>
    public int PassesToHealthy { get; init; } = 2;
    /// <summary>Checks failed in a row before a healthy instance is critical. Default 3 (1–100).</summary>
    public int FailuresToCritical { get; init; } = 3;
    /// <summary>How long an instance may stay critical before it is deregistered. Default 10 minutes; 1 s to 30 days.</summary>
    public TimeSpan DeregisterAfter { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>A registered instance as stored.</summary>
public sealed record ServiceInstance
{
    /// <summary>The service's name.</summary>
    public required string Name { get; init; }
    /// <summary>The instance id.</summary>
    public required string Id { get; init; }
    /// <summary>Version text.</summary>
    public string Version { get; init; } = "";
    /// <summary>Where invokes go.</summary>
    public required string BaseUrl { get; init; }
    /// <summary>Capabilities.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>Health-check path (HTTP mode).</summary>
    public string? HealthCheckPath { get; init; }
    /// <summary>Check mode.</summary>
    public ServiceCheckMode CheckMode { get; init; }
    /// <summary>TTL.</summary>
    public TimeSpan Ttl { get; init; }
    /// <summary>Check interval.</summary>
    public TimeSpan CheckInterval { get; init; }
    /// <summary>Passes in a row to become healthy.</summary>
    public int PassesToHealthy { get; init; }
    /// <summary>Failures in a row to become critical.</summary>
    public int FailuresToCritical { get; init; }
    /// <summary>Critical this long: deregistered.</summary>
    public TimeSpan DeregisterAfter { get; init; }
    /// <summary>Health after flap damping.</summary>
    public ServiceHealth Health { get; init; }
    /// <summary>Checks passed in a row.</summary>
    public int Passes { get; init; }
    /// <summary>Checks failed in a row.</summary>
    public int Failures { get; init; }
    /// <summary>Since when it is critical.</summary>
    public DateTimeOffset? CriticalSince { get; init; }
    /// <summary>Its latest check (HTTP) or TTL evaluation.</summary>
    public DateTimeOffset? LastCheckAt { get; init; }
    /// <summary>Its latest heartbeat (TTL) or registration.</summary>
    public DateTimeOffset LastSeenAt { get; init; }
    /// <summary>Why its latest check failed.</summary>
    public string? LastError { get; init; }
    /// <summary>When it registered.</summary>
    public DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>Wire names.</summary>
public static class ServiceNames
{
    /// <summary><c>ttl</c> or <c>http</c>.</summary>
    public static string Name(this ServiceCheckMode m) => m == ServiceCheckMode.Http ? "http" : "ttl";
    /// <summary><c>starting</c>, <c>healthy</c> or <c>critical</c>.</summary>
    public static string Name(this ServiceHealth h) => h.ToString().ToLowerInvariant();
    /// <summary>Parses <c>ttl</c>/<c>http</c>; null when unknown.</summary>
    public static ServiceCheckMode? ParseMode(string? s) => s switch { "ttl" => ServiceCheckMode.Ttl, "http" => ServiceCheckMode.Http, _ => null };
    /// <summary>Parses a health name; null when unknown.</summary>
    public static ServiceHealth? ParseHealth(string? s) => s switch
    {
        "starting" => ServiceHealth.Starting,
        "healthy" => ServiceHealth.Healthy,
        "critical" => ServiceHealth.Critical,
        _ => null,
    };
}
