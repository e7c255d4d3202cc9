namespace Nexus.Storage;

/// <summary>
/// API keys of the HTTP server. The store keeps only a hash of each key's secret: a key is shown once, when it is
/// made, and never again. What a role may do is the server's business; the store keeps the role as text.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key and returns it as stored (with the store's creation time).</summary>
    Task<ApiKeyRecord> CreateAsync(NewApiKey key, CancellationToken cancellationToken = default);

    /// <summary>Reads one key by its public id (revoked ones too), or null.</summary>
    Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every key, revoked ones too, oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a key. Returns false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeAsync(RevokeApiKeyParams p, CancellationToken cancellationToken = default);
}

/// <summary>A key to store.</summary>
public sealed record NewApiKey
{
    /// <summary>The public id (part of the key text, safe to show and log). 1–64 characters; unique.</summary>
    public required string Id { get; init; }
    /// <summary>A human name, e.g. <c>ci-deploy</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The hash of the secret (lower-case hex of SHA-256); the secret itself is never stored.</summary>
    public required string SecretHash { get; init; }
    /// <summary>The role, e.g. <c>operator</c>.</summary>
    public required string Role { get; init; }
    /// <summary>Queues the key is limited to; empty means every queue.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
    /// <summary>Event namespaces the key may use. A key with no limit at all (no queues, no namespaces) reaches every
    /// namespace; a limited key reaches only the namespaces named here (none when empty): deny by default.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    /// <summary>When the key stops working, or null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Who made it (a principal name), for the record.</summary>
    public string? CreatedBy { get; init; }
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A stored key, without its secret.</summary>
public sealed record ApiKeyRecord
{
    /// <summary>The public id.</summary>
    public required string Id { get; init; }
    /// <summary>The human name.</summary>
    public required string Name { get; init; }
    /// <summary>The hash of the secret (lower-case hex of SHA-256).</summary>
    public required string SecretHash { get; init; }
    /// <summary>The role.</summary>
    public required string Role { get; init; }
    /// <summary>Queues the key is limited to; empty means every queue.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [];
    /// <summary>Event namespaces the key may use (see <see cref="NewApiKey.Namespaces"/>).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    /// <summary>When it was made (store clock).</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it stops working, or null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>When it was revoked, or null while it is active.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
    /// <summary>Who made it.</summary>
    public string? CreatedBy { get; init; }
}

/// <summary>Params of <see cref="IApiKeyStore.RevokeAsync"/>.</summary>
/// <param name="Id">The key's public id.</param>
public sealed record RevokeApiKeyParams(string Id)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}
