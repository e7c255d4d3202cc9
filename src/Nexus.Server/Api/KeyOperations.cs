using Nexus.Server.Auth;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary>Creating, listing and revoking API keys with the caller's limits: the one implementation behind
/// <c>/api/v1/keys</c> and the dashboard's keys page. Bad input and refusals throw <see cref="ApiProblemException"/>
/// naming the field.</summary>
internal static class KeyOperations
{
    public static IApiKeyStore Store(INexusStore store) => store.ApiKeys
        ?? throw new ApiProblemException(501, "keys-unsupported", "Not supported", $"The {store.Driver} store cannot keep API keys; use JWT bearer tokens.");

    /// <summary>Creates a key; the returned secret is the only time it is shown.</summary>
    public static async Task<(string Key, ApiKeyRecord Record)> CreateAsync(
        Caller caller, INexusStore store, TimeProvider time, string? name, string? role, IReadOnlyList<string?>? queues, DateTimeOffset? expiresAt,
        CancellationToken cancellationToken, IReadOnlyList<string?>? namespaces = null)
    {
        var keys = Store(store);
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100) throw ApiProblemException.Invalid("name", "is required (1–100 characters)");
        if (!NexusRoles.IsValid(role)) throw ApiProblemException.Invalid("role", $"must be one of {string.Join(", ", NexusRoles.All)}");
        queues ??= [];
        for (var i = 0; i < queues.Count; i++)
        {
            if (!QueueName.IsValid(queues[i])) throw ApiProblemException.Invalid($"queues[{i}]", $"'{QueryValues.Shorten(queues[i] ?? "")}' is not a valid queue name");
        }
        namespaces ??= [];
        for (var i = 0; i < namespaces.Count; i++)
        {
            if (!Events.Names.IsNamespace(namespaces[i])) throw ApiProblemException.Invalid($"namespaces[{i}]", $"'{QueryValues.Shorten(namespaces[i] ?? "")}' is not a valid namespace name");
        }
        if (expiresAt is { } expires && expires <= time.GetUtcNow()) throw ApiProblemException.Invalid("expiresAt", "must be in the future");
        var checkedQueues = queues.Select(q => q!).ToList();
        var checkedNamespaces = namespaces.Select(n => n!).ToList();
        caller.EnsureCanGrant(role!, checkedQueues, checkedNamespaces);
        expiresAt = caller.CapKeyExpiry(expiresAt);

        var (id, key, hash) = ApiKeyFormat.Create();
        var record = await keys.CreateAsync(new NewApiKey
        {
            Id = id,
            Name = name,
            SecretHash = hash,
            Role = role!,
            Queues = [.. checkedQueues.Distinct(StringComparer.Ordinal)],
            Namespaces = [.. checkedNamespaces.Distinct(StringComparer.Ordinal)],
            ExpiresAt = expiresAt,
            CreatedBy = caller.Name,
        }, cancellationToken);
        return (key, record);
    }

    /// <summary>The keys whose queues and namespaces all lie within the caller's.</summary>
    public static async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(Caller caller, INexusStore store, CancellationToken cancellationToken) =>
        [.. (await Store(store).ListAsync(cancellationToken)).Where(k => Visible(caller, k))];

    /// <summary>A limited caller sees a key only when it is limited too, and within the caller's queues and namespaces.</summary>
    public static bool Visible(Caller caller, ApiKeyRecord k) =>
        !caller.IsLimited || ((k.Queues.Count > 0 || k.Namespaces.Count > 0) && (k.Queues.Count == 0 || caller.CanUseAll(k.Queues)) && caller.CanUseAllNamespaces(k.Namespaces));

    /// <summary>Revokes a key (forgotten by this node's cache at once); a key outside the caller's limits is not found.</summary>
    public static async Task RevokeAsync(Caller caller, INexusStore store, ApiKeyValidator validator, string id, CancellationToken cancellationToken)
    {
        var keys = Store(store);
        if (caller.IsLimited && (await keys.GetAsync(id, cancellationToken) is not { } key || !Visible(caller, key)))
        {
            throw ApiProblemException.NotFound($"No active API key with id '{QueryValues.Shorten(id)}'.");
        }
        var revoked = await keys.RevokeAsync(new RevokeApiKeyParams(id), cancellationToken);
        validator.Forget(id);
        if (!revoked) throw ApiProblemException.NotFound($"No active API key with id '{QueryValues.Shorten(id)}'.");
    }
}
