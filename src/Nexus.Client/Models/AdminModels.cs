using System.Text.Json.Nodes;

namespace Nexus.Client;

/// <summary>Which dead letters a bulk retry or purge touches; every field is optional (all null: every dead task).</summary>
public sealed record DeadLetterFilter
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
    /// <summary>Most tasks to touch in this call, oldest first. Default (null) and cap: the server's <c>MaxBulk</c> (1000).</summary>
    public int? Max { get; init; }
}

/// <summary>What a bulk action did.</summary>
/// <param name="Count">Tasks touched.</param>
/// <param name="More">True when the limit was reached: call again for the rest.</param>
public sealed record BulkResult(int Count, bool More);

/// <summary>A queue with its settings and task counts.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Paused">Claiming is stopped (submits still go in).</param>
/// <param name="MaxConcurrency">Most tasks running at once across all nodes, or null for no limit.</param>
/// <param name="MaxBacklog">Most waiting tasks before submits are refused, or null for no limit.</param>
/// <param name="Counts">Tasks per state name (states with none are absent).</param>
/// <param name="Total">All tasks in the queue.</param>
public sealed record QueueInfo(string Name, bool Paused, int? MaxConcurrency, long? MaxBacklog, IReadOnlyDictionary<string, long> Counts, long Total)
{
    /// <summary>The count in <paramref name="state"/>, 0 when absent.</summary>
    public long Count(string state) => Counts.TryGetValue(state, out var n) ? n : 0;
}

/// <summary>A registered plugin.</summary>
/// <param name="Name">The stable name to submit to.</param>
/// <param name="Description">What it does.</param>
/// <param name="Version">Its version.</param>
/// <param name="Queue">Its default queue.</param>
/// <param name="MaxAttempts">Its default attempts, or null for the server's.</param>
/// <param name="TimeoutMs">Its default per-attempt limit, or null.</param>
/// <param name="ArgsSchema">The JSON schema its args are validated against.</param>
public sealed record PluginInfo(string Name, string Description, string Version, string Queue, int? MaxAttempts, long? TimeoutMs, JsonObject ArgsSchema);

/// <summary>A new API key to create.</summary>
/// <param name="Name">A name to recognise it by (1–100 characters), e.g. <c>ci-deploy</c>.</param>
/// <param name="Role"><c>admin</c>, <c>operator</c>, <c>viewer</c> or <c>worker</c>.</param>
public sealed record KeyRequest(string Name, string Role)
{
    /// <summary>Queues the key is limited to. Default (null): every queue (unless namespaces are named: then none).</summary>
    public IReadOnlyList<string>? Queues { get; init; }
    /// <summary>Event namespaces the key may use. A key without any limit reaches every namespace; a limited key only these.</summary>
    public IReadOnlyList<string>? Namespaces { get; init; }
    /// <summary>When the key stops working. Default (null): never.</summary>
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
public sealed record KeyInfo(string Id, string Name, string Role, IReadOnlyList<string> Queues, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, string? CreatedBy)
{
    /// <summary>The event namespaces it may use.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
}

/// <summary>A key just made: the only time its secret is shown.</summary>
/// <param name="Key">The key to send (<c>Authorization: Bearer …</c>); store it now, it cannot be shown again.</param>
/// <param name="Info">The stored key.</param>
public sealed record CreatedKey(string Key, KeyInfo Info);
