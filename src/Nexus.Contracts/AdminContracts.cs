using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Nexus.Contracts;

/// <summary>Which dead letters a bulk retry or purge touches; every field is optional.</summary>
public sealed record DeadLetterFilterRequest
{
    /// <summary>Only this plugin's tasks.</summary>
    public string? Plugin { get; init; }
    /// <summary>Only this queue's tasks.</summary>
    public string? Queue { get; init; }
    /// <summary>Only tasks with this tag.</summary>
    public string? Tag { get; init; }
    /// <summary>Only tasks created at or after this instant.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only tasks created before this instant.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }
    /// <summary>Most tasks to touch in this call (oldest first). Default and cap: the server's <c>MaxBulk</c> (1000).</summary>
    public int? Max { get; init; }
}

/// <summary>What a bulk action did.</summary>
/// <param name="Count">Tasks touched.</param>
/// <param name="More">True when the limit was reached: call again for the rest.</param>
public sealed record BulkResponse(int Count, bool More);

/// <summary>A queue with its settings and task counts.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Paused">Claiming is stopped (submits still go in).</param>
/// <param name="MaxConcurrency">Most tasks running at once across all nodes, or null.</param>
/// <param name="MaxBacklog">Most waiting tasks before submits are refused, or null.</param>
/// <param name="Counts">Tasks per state (states with none are absent).</param>
/// <param name="Total">All tasks in the queue.</param>
public sealed record QueueResponse(string Name, bool Paused, int? MaxConcurrency, long? MaxBacklog, IReadOnlyDictionary<string, long> Counts, long Total)
{
    /// <summary>The count in <paramref name="state"/>, 0 when absent.</summary>
    public long Count(string state) => Counts.TryGetValue(state, out var n) ? n : 0;
}

/// <summary>Changes a queue's limits. Fields left out keep their value; null removes the limit.</summary>
public sealed record QueueLimitsRequest
{
    /// <summary>Most tasks running at once across all nodes (0 or more), or null for no limit.</summary>
    public int? MaxConcurrency { get; init; }
    /// <summary>Most waiting tasks before submits are refused (0 or more), or null for no limit.</summary>
    public long? MaxBacklog { get; init; }
}

/// <summary>A registered plugin.</summary>
/// <param name="Name">The stable name to submit to.</param>
/// <param name="Description">What it does.</param>
/// <param name="Version">Its version.</param>
/// <param name="Queue">Its default queue.</param>
/// <param name="MaxAttempts">Its default attempts, or null for the server's.</param>
/// <param name="TimeoutMs">Its default per-attempt limit, or null.</param>
/// <param name="ArgsSchema">The JSON schema its args are validated against.</param>
/// <param name="External">True for a plugin served by external workers (its tasks always go to <paramref name="Queue"/>).</param>
public sealed record PluginResponse(string Name, string Description, string Version, string Queue, int? MaxAttempts, long? TimeoutMs, JsonObject ArgsSchema, bool External = false);

/// <summary>A new API key.</summary>
public sealed record CreateKeyRequest
{
    /// <summary>An empty key request: set the fields with an initializer.</summary>
    public CreateKeyRequest() { }

    /// <summary>A key request with its required fields; the others with an initializer.</summary>
    public CreateKeyRequest(string name, string role)
    {
        Name = name;
        Role = role;
    }

    /// <summary>A name to recognise it by (1–100 characters), e.g. <c>ci-deploy</c>.</summary>
    public string? Name { get; init; }
    /// <summary>admin, operator, viewer or worker.</summary>
    public string? Role { get; init; }
    /// <summary>Queues the key is limited to; absent or empty: every queue (unless namespaces are named: then none).</summary>
    public IReadOnlyList<string>? Queues { get; init; }
    /// <summary>Event namespaces the key may use. A key without queues and namespaces reaches every namespace; a limited key reaches only the namespaces named here.</summary>
    public IReadOnlyList<string>? Namespaces { get; init; }
    /// <summary>When the key stops working; absent: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A stored API key (never its secret).</summary>
/// <param name="Id">The public id (the part after <c>nx_</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="Role">Its role.</param>
/// <param name="Queues">The queues it is limited to (empty: every queue).</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it stops working, or null.</param>
/// <param name="RevokedAt">When it was revoked, or null.</param>
/// <param name="CreatedBy">Who made it.</param>
public sealed record KeyResponse(string Id, string Name, string Role, IReadOnlyList<string> Queues, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? CreatedBy)
{
    /// <summary>The event namespaces it may use (empty: every one for a key without limits, none for a limited key).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
}

/// <summary>A key just made: the only time its secret text is shown.</summary>
/// <param name="Key">The key to send (Authorization: Bearer …); store it now, it cannot be shown again.</param>
/// <param name="Info">The stored key.</param>
public sealed record CreatedKeyResponse(string Key, KeyResponse Info);

/// <summary>Who the server takes the caller for.</summary>
/// <param name="Name">The caller's name (key name, JWT subject, bootstrap or anonymous@loopback).</param>
/// <param name="Method">api-key, jwt, bootstrap-key or anonymous-loopback.</param>
/// <param name="Roles">The caller's roles.</param>
/// <param name="Queues">The queues the caller is limited to, or null for every queue.</param>
public sealed record WhoAmIResponse(string Name, string Method, IReadOnlyList<string> Roles, IReadOnlyList<string>? Queues)
{
    /// <summary>The event namespaces the caller may use, or null for every one.</summary>
    public IReadOnlyList<string>? Namespaces { get; init; }
}

/// <summary>Liveness.</summary>
/// <param name="Status">Always <c>alive</c>.</param>
public sealed record AliveResponse(string Status);

/// <summary>Readiness: the store answers and its schema is current.</summary>
/// <param name="Status">ready or not-ready.</param>
/// <param name="Store">sqlite or postgres.</param>
/// <param name="SchemaVersion">The store's schema version.</param>
/// <param name="ExpectedVersion">The version this server needs.</param>
/// <param name="Error">Why it is not ready (shown to authenticated callers only).</param>
public sealed record ReadyResponse(string Status, string Store, int SchemaVersion, int ExpectedVersion, string? Error)
{
    /// <summary>True when <see cref="Status"/> is <c>ready</c>. Not on the wire.</summary>
    [JsonIgnore]
    public bool IsReady => Status == "ready";
}

/// <summary>What this server is.</summary>
/// <param name="Version">The Nexus version.</param>
/// <param name="Store">sqlite or postgres.</param>
/// <param name="NodeId">This node's id.</param>
/// <param name="RunsWorkers">Whether this node runs tasks.</param>
/// <param name="Auth">How callers can authenticate.</param>
public sealed record ServerInfoResponse(string Version, string Store, string NodeId, bool RunsWorkers, ServerAuthResponse Auth);

/// <summary>Authentication methods the server accepts.</summary>
/// <param name="ApiKeys">Stored API keys.</param>
/// <param name="Jwt">JWT bearer tokens.</param>
/// <param name="AnonymousLoopback">Development mode: anonymous requests from this machine.</param>
public sealed record ServerAuthResponse(bool ApiKeys, bool Jwt, bool AnonymousLoopback);
