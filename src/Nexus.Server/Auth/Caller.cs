using System.Security.Claims;
using Nexus.Server.Api;

namespace Nexus.Server.Auth;

/// <summary>Who is calling, as the endpoints see it: a name, roles, and the queues they are limited to. This is the one
/// authorization rule of the API: every endpoint asks the caller's limits (role and queues) through these methods, and
/// what lies outside them is refused or left out as if it did not exist.</summary>
internal sealed record Caller(string Name, string Method, IReadOnlyList<string> Roles, IReadOnlySet<string>? Queues, string? KeyId)
{
    /// <summary>The event namespaces the caller may use, or null for every one. A caller with any limit (queues or
    /// namespaces) reaches only the namespaces granted to it: none unless named (deny by default).</summary>
    public IReadOnlySet<string>? Namespaces { get; init; }

    /// <summary>When the caller's own credential stops working (an API key's expiry, a JWT's <c>exp</c>), or null when it
    /// does not expire. A key the caller makes may not outlive it.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public const string NameClaim = "nexus:name";
    public const string MethodClaim = "nexus:auth";
    public const string RoleClaim = "nexus:role";
    public const string QueueClaim = "nexus:queue";
    public const string KeyIdClaim = "nexus:key";
    public const string NamespaceClaim = "nexus:namespace";
    /// <summary>Marks a caller with some limit, so that a limit naming nothing still limits (to nothing).</summary>
    public const string LimitedClaim = "nexus:limited";
    /// <summary>The caller's rate-limit bucket when its name is not a stable identity (a JWT without <c>sub</c>).</summary>
    public const string BucketClaim = "nexus:bucket";
    /// <summary>The caller's credential's expiry, in Unix milliseconds.</summary>
    public const string ExpiresClaim = "nexus:expires";
    public const string Scheme = "Nexus";

    /// <summary>Builds the principal every authentication method ends in.</summary>
    public static ClaimsPrincipal Principal(string name, string method, IEnumerable<string> roles, IEnumerable<string>? queues, string? keyId = null, string? bucket = null,
        IEnumerable<string>? namespaces = null, DateTimeOffset? expiresAt = null)
    {
        var claims = new List<Claim> { new(NameClaim, name), new(MethodClaim, method) };
        if (expiresAt is { } expires) claims.Add(new Claim(ExpiresClaim, expires.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        claims.AddRange(roles.Select(r => new Claim(RoleClaim, r)));
        if (queues is not null) claims.AddRange(queues.Select(q => new Claim(QueueClaim, q)));
        if (namespaces is not null) claims.AddRange(namespaces.Select(n => new Claim(NamespaceClaim, n)));
        if (queues is not null || namespaces is not null) claims.Add(new Claim(LimitedClaim, "true"));
        if (keyId is not null) claims.Add(new Claim(KeyIdClaim, keyId));
        if (bucket is not null) claims.Add(new Claim(BucketClaim, bucket));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, NameClaim, RoleClaim));
    }

    public static Caller From(ClaimsPrincipal user)
    {
        var queues = user.FindAll(QueueClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var namespaces = user.FindAll(NamespaceClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var limited = user.FindFirst(LimitedClaim) is not null || queues.Count > 0 || namespaces.Count > 0;
        return new Caller(
            user.FindFirst(NameClaim)?.Value ?? "unknown",
            user.FindFirst(MethodClaim)?.Value ?? "unknown",
            [.. user.FindAll(RoleClaim).Select(c => c.Value)],
            limited ? queues : null,
            user.FindFirst(KeyIdClaim)?.Value)
        {
            Namespaces = limited ? namespaces : null,
            ExpiresAt = long.TryParse(user.FindFirst(ExpiresClaim)?.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
        };
    }

    /// <summary>The expiry of a key this caller makes: its own expiry when none is asked for (a key never outlives the
    /// credential that made it); 403 <c>key-outlives-maker</c> naming <c>expiresAt</c> when a later one is asked for.</summary>
    public DateTimeOffset? CapKeyExpiry(DateTimeOffset? asked)
    {
        if (ExpiresAt is not { } own) return asked;
        if (asked is null) return own;
        if (asked > own)
        {
            throw new ApiProblemException(403, "key-outlives-maker", "Key would outlive its maker",
                $"expiresAt: {asked:O} is after {own:O}, when your own credential expires; a key may not outlive the credential that made it.", "expiresAt");
        }
        return asked;
    }

    /// <summary>True when the caller may use the namespace.</summary>
    public bool CanUseNamespace(string ns) => Namespaces is null || Namespaces.Contains(ns);

    /// <summary>True when every one of <paramref name="namespaces"/> is the caller's.</summary>
    public bool CanUseAllNamespaces(IReadOnlyCollection<string> namespaces) => Namespaces is null || namespaces.All(Namespaces.Contains);

    /// <summary>Throws 404 (as if it did not exist) when the caller may not use the namespace: a limited caller learns
    /// nothing of namespaces outside its grant, not even that they exist.</summary>
    public void EnsureNamespace(string ns)
    {
        if (!CanUseNamespace(ns))
        {
            throw new ApiProblemException(404, "namespace-not-found", "Not found",
                $"namespace: '{QueryValues.Shorten(ns)}' does not exist or is not one of the namespaces you may use.", "namespace");
        }
    }

    /// <summary>Throws 403 naming the entry when a key would grant a namespace the caller does not hold.</summary>
    public void EnsureCanGrantNamespaces(IReadOnlyList<string> namespaces)
    {
        for (var i = 0; i < namespaces.Count; i++)
        {
            if (!CanUseNamespace(namespaces[i]))
            {
                throw new ApiProblemException(403, "namespace-forbidden", "Namespace not allowed",
                    $"namespaces[{i}]: '{QueryValues.Shorten(namespaces[i])}' is not one of the namespaces you may use; a key may not grant more than its maker holds.", $"namespaces[{i}]");
            }
        }
    }

    public bool Has(Right right) => Roles.Any(r => NexusRoles.Grants(r, right));

    public bool CanUse(string queue) => Queues is null || Queues.Contains(queue);

    /// <summary>True when the caller is limited to some queues.</summary>
    public bool IsLimited => Queues is not null;

    /// <summary>True when every one of <paramref name="queues"/> is the caller's. Something tied to no queue in
    /// particular (an empty list: every queue) is only an unlimited caller's.</summary>
    public bool CanUseAll(IReadOnlyCollection<string> queues) => Queues is null || (queues.Count > 0 && queues.All(Queues.Contains));

    /// <summary>True when a role grants nothing that the caller's roles do not.</summary>
    public bool Holds(string role) => Enum.GetValues<Right>().All(right => !NexusRoles.Grants(role, right) || Has(right));

    /// <summary>Throws 403 unless the caller holds everything a key with <paramref name="role"/>,
    /// <paramref name="queues"/> and <paramref name="namespaces"/> would grant (neither: every queue and namespace; a
    /// limit in one leaves the other denied unless named): a key never grants more than its maker holds.</summary>
    public void EnsureCanGrant(string role, IReadOnlyList<string> queues, IReadOnlyList<string>? namespaces = null)
    {
        namespaces ??= [];
        EnsureCanGrantNamespaces(namespaces);
        if (!Holds(role))
        {
            throw new ApiProblemException(403, "role-forbidden", "Role not allowed",
                $"role: '{role}' grants more than your role ({string.Join(", ", Roles)}); a key may not grant more than its maker holds.", "role");
        }
        if (Queues is null) return;
        // A key with a namespace limit but no queues is limited to no queue; only a key without any limit reaches every queue.
        if (queues.Count == 0 && namespaces.Count == 0)
        {
            throw new ApiProblemException(403, "queue-forbidden", "Queue not allowed",
                $"queues: a key without queues reaches every queue, but you are limited to {string.Join(", ", Queues.Order(StringComparer.Ordinal))}; name some of them.", "queues");
        }
        for (var i = 0; i < queues.Count; i++) EnsureQueue(queues[i], $"queues[{i}]");
    }

    /// <summary>Throws 403 naming <paramref name="field"/> when the caller is limited to other queues.</summary>
    public void EnsureQueue(string queue, string field)
    {
        if (!CanUse(queue))
        {
            throw new ApiProblemException(403, "queue-forbidden", "Queue not allowed",
                $"{field}: '{queue}' is not one of the queues you are limited to ({string.Join(", ", Queues!.Order(StringComparer.Ordinal))}).", field);
        }
    }

    /// <summary>The queue filter to apply for a caller: the requested one (checked), or for a caller limited to one
    /// queue that queue; a caller limited to several queues must name one.</summary>
    public string? ScopeQueue(string? requested, string field = "queue")
    {
        if (requested is not null)
        {
            EnsureQueue(requested, field);
            return requested;
        }
        if (Queues is null) return null;
        if (Queues.Count == 1) return Queues.First();
        throw new ApiProblemException(400, "validation", "Invalid request",
            $"{field}: is required, because you are limited to the queues {string.Join(", ", Queues.Order(StringComparer.Ordinal))}.", field);
    }
}
