using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Nexus.Storage;

namespace Nexus.Server.Auth;

/// <summary>Checks presented API keys: the bootstrap key from configuration, then stored keys (remembered for a few
/// seconds so that a busy client does not cost a database read per request).</summary>
internal sealed class ApiKeyValidator(INexusStore store, IOptions<NexusAuthOptions> options, TimeProvider time)
{
    private readonly NexusAuthOptions _options = options.Value;
    private readonly string? _bootstrapHash = options.Value.BootstrapKey is { } key ? ApiKeyFormat.Hash(key) : null;
    // Misses are remembered too, so that a flood of made-up keys does not become a flood of database reads; ids are
    // 64 random bits, so a remembered miss never hides a key made later. The size bound keeps such a flood from
    // growing memory.
    private const int MaxCached = 10_000;
    private readonly ConcurrentDictionary<string, (ApiKeyRecord? Record, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The principal of a valid key, or the reason it is refused (never echoing the key).</summary>
    public async Task<(ClaimsPrincipal? Principal, string? Failure)> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        var hash = ApiKeyFormat.Hash(presented);
        if (_bootstrapHash is not null && ApiKeyFormat.SameHash(hash, _bootstrapHash))
        {
            return (Caller.Principal("bootstrap", "bootstrap-key", [NexusRoles.Admin], null), null);
        }
        var id = ApiKeyFormat.IdOf(presented);
        if (id is null) return (null, "The API key is not valid.");
        var record = await FindAsync(id, cancellationToken);
        if (record is null || !ApiKeyFormat.SameHash(hash, record.SecretHash)) return (null, "The API key is not valid.");
        if (record.RevokedAt is not null) return (null, $"The API key {ApiKeyFormat.Shown(id)} was revoked.");
        if (record.ExpiresAt is { } expires && expires <= time.GetUtcNow()) return (null, $"The API key {ApiKeyFormat.Shown(id)} expired at {expires:O}.");
        var limited = record.Queues.Count > 0 || record.Namespaces.Count > 0;
        return (Caller.Principal($"key:{record.Name}", "api-key", [record.Role], record.Queues.Count == 0 ? null : record.Queues, record.Id,
            namespaces: limited ? record.Namespaces : null, expiresAt: record.ExpiresAt), null);
    }

    /// <summary>Forgets a key on this node at once (after it was revoked here).</summary>
    public void Forget(string id) => _cache.TryRemove(id, out _);

    private async Task<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && cached.Until > now) return cached.Record;
        var keys = store.ApiKeys;
        if (keys is null) return null;
        var record = await keys.GetAsync(id, cancellationToken);
        if (_options.KeyCacheSeconds > 0)
        {
            if (_cache.Count >= MaxCached) _cache.Clear();
            _cache[id] = (record, now.AddSeconds(_options.KeyCacheSeconds));
        }
        return record;
    }
}
