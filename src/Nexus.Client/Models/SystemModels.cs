namespace Nexus.Client;

/// <summary>Liveness (<c>GET /healthz</c>).</summary>
/// <param name="Status">Always <c>alive</c>.</param>
public sealed record HealthInfo(string Status);

/// <summary>Readiness (<c>GET /readyz</c>): the store answers and its schema is current.</summary>
/// <param name="Status"><c>ready</c> or <c>not-ready</c>.</param>
/// <param name="Store"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="SchemaVersion">The store's schema version.</param>
/// <param name="ExpectedVersion">The version the server needs.</param>
/// <param name="Error">Why it is not ready (shown to authenticated callers only).</param>
public sealed record ReadinessInfo(string Status, string Store, int SchemaVersion, int ExpectedVersion, string? Error)
{
    /// <summary>True when <see cref="Status"/> is <c>ready</c>.</summary>
    public bool IsReady => Status == "ready";
}

/// <summary>Who the server takes the caller for (<c>GET /api/v1/whoami</c>).</summary>
/// <param name="Name">The caller's name (key name, JWT subject, bootstrap or anonymous@loopback).</param>
/// <param name="Method"><c>api-key</c>, <c>jwt</c>, <c>bootstrap-key</c> or <c>anonymous-loopback</c>.</param>
/// <param name="Roles">The caller's roles.</param>
/// <param name="Queues">The queues the caller is limited to, or null for every queue.</param>
public sealed record CallerInfo(string Name, string Method, IReadOnlyList<string> Roles, IReadOnlyList<string>? Queues)
{
    /// <summary>The event namespaces the caller may use, or null for every one.</summary>
    public IReadOnlyList<string>? Namespaces { get; init; }
}

/// <summary>What the server is (<c>GET /api/v1/server</c>).</summary>
/// <param name="Version">The Nexus version.</param>
/// <param name="Store"><c>sqlite</c> or <c>postgres</c>.</param>
/// <param name="NodeId">The answering node's id.</param>
/// <param name="RunsWorkers">Whether that node runs tasks.</param>
/// <param name="Auth">How callers can authenticate.</param>
public sealed record ServerInfo(string Version, string Store, string NodeId, bool RunsWorkers, ServerAuthInfo Auth);

/// <summary>Authentication methods the server accepts.</summary>
/// <param name="ApiKeys">Stored API keys.</param>
/// <param name="Jwt">JWT bearer tokens.</param>
/// <param name="AnonymousLoopback">Development mode: anonymous requests from the server's machine.</param>
public sealed record ServerAuthInfo(bool ApiKeys, bool Jwt, bool AnonymousLoopback);

/// <summary>A node of the cluster (<c>GET /api/v1/nodes</c>): an engine process or an external worker.</summary>
/// <param name="Id">The node id, e.g. <c>host-123</c>.</param>
/// <param name="Kind"><c>engine</c> or <c>external</c>.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastSeenAt">Its last heartbeat.</param>
/// <param name="Concurrency">Attempts it runs at once.</param>
/// <param name="Running">Attempts running now.</param>
/// <param name="Queues">Queues it claims from (empty: all).</param>
/// <param name="Plugins">Plugins it serves.</param>
/// <param name="Status"><c>alive</c> or <c>stale</c> (no heartbeat for a while).</param>
public sealed record NodeInfo(string Id, string Kind, string? Host, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt,
    int Concurrency, int Running, IReadOnlyList<string> Queues, IReadOnlyList<string> Plugins, string Status);
