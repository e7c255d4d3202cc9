using System.Security.Claims;
using Nexus.Server.Api;

namespace Nexus.Server.Auth;

/// <summary>Who is calling, as the endpoints see it: a name, roles, and the queues they are limited to.</summary>
internal sealed record Caller(string Name, string Method, IReadOnlyList<string> Roles, IReadOnlySet<string>? Queues, string? KeyId)
{
    public const string NameClaim = "nexus:name";
    public const string MethodClaim = "nexus:auth";
    public const string RoleClaim = "nexus:role";
    public const string QueueClaim = "nexus:queue";
    public const string KeyIdClaim = "nexus:key";
    public const string Scheme = "Nexus";

    /// <summary>Builds the principal every authentication method ends in.</summary>
    public static ClaimsPrincipal Principal(string name, string method, IEnumerable<string> roles, IEnumerable<string>? queues, string? keyId = null)
    {
        var claims = new List<Claim> { new(NameClaim, name), new(MethodClaim, method) };
        claims.AddRange(roles.Select(r => new Claim(RoleClaim, r)));
        if (queues is not null) claims.AddRange(queues.Select(q => new Claim(QueueClaim, q)));
        if (keyId is not null) claims.Add(new Claim(KeyIdClaim, keyId));
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
