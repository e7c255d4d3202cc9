using System.Security.Claims;
using Nexus.Server.Api;

namespace Nexus.Server.Auth;

/// <summary>Who is calling, as the endpoints see it: a name, roles, and the queues they are limited to. This is the one
/// authorization rule of the API: every endpoint asks the caller's limits (role and queues) through these methods, and
/// what lies outside them is refused or left out as if it did not exist.</summary>
internal sealed record Caller(string Name, string Method, IReadOnlyList<string> Roles, IReadOnlySet<string>? Queues, string? KeyId)
{
    public const string NameClaim = "nexus:name";
    public const string MethodClaim = "nexus:auth";
    public const string RoleClaim = "nexus:role";
    public const string QueueClaim = "nexus:queue";
    public const string KeyIdClaim = "nexus:key";
    /// <summary>The caller's rate-limit bucket when its name is not a stable identity (a JWT without <c>sub</c>).</summary>
    public const string BucketClaim = "nexus:bucket";
    public const string Scheme = "Nexus";

    /// <summary>Builds the principal every authentication method ends in.</summary>
    public static ClaimsPrincipal Principal(string name, string method, IEnumerable<string> roles, IEnumerable<string>? queues, string? keyId = null, string? bucket = null)
    {
        var claims = new List<Claim> { new(NameClaim, name), new(MethodClaim, method) };
        claims.AddRange(roles.Select(r => new Claim(RoleClaim, r)));
        if (queues is not null) claims.AddRange(queues.Select(q => new Claim(QueueClaim, q)));
        if (keyId is not null) claims.Add(new Claim(KeyIdClaim, keyId));
        if (bucket is not null) claims.Add(new Claim(BucketClaim, bucket));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, NameClaim, RoleClaim));
    }

    public static Caller From(ClaimsPrincipal user)
    {
        var queues = user.FindAll(QueueClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Caller(
            user.FindFirst(NameClaim)?.Value ?? "unknown",
            user.FindFirst(MethodClaim)?.Value ?? "unknown",
            [.. user.FindAll(RoleClaim).Select(c => c.Value)],
            queues.Count == 0 ? null : queues,
            user.FindFirst(KeyIdClaim)?.Value);
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

    /// <summary>Throws 403 unless the caller holds everything a key with <paramref name="role"/> and
    /// <paramref name="queues"/> (empty: every queue) would grant: a key never grants more than its maker holds.</summary>
    public void EnsureCanGrant(string role, IReadOnlyList<string> queues)
    {
        if (!Holds(role))
        {
            throw new ApiProblemException(403, "role-forbidden", "Role not allowed",
                $"role: '{role}' grants more than your role ({string.Join(", ", Roles)}); a key may not grant more than its maker holds.", "role");
        }
        if (Queues is null) return;
        if (queues.Count == 0)
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
