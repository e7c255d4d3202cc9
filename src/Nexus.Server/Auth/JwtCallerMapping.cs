using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Server.Auth;

/// <summary>The claims a token's Nexus role(s), queue limit and namespace limit are read from.</summary>
internal sealed record CallerClaimNames(string Role, string Queues, string Namespaces);

/// <summary>
/// The one mapping from a validated token's claims to a Nexus caller, shared by JWT bearer (<see cref="JwtBearerSetup"/>)
/// and the dashboard's OpenID Connect sign-in (an ID token), so that the same claims grant the same role, queues and
/// namespaces either way. It fails closed: no Nexus role is refused, and a queue claim that is present but names no
/// queue is refused rather than read as "every queue".
/// </summary>
internal static class JwtCallerMapping
{
    /// <summary>The caller's principal, or why the token is refused.</summary>
    /// <param name="token">The validated token's claims (not mapped to .NET's claim types).</param>
    /// <param name="securityToken">The token itself, to tell an empty list claim from an absent one.</param>
    /// <param name="names">Where the role, queues and namespaces are.</param>
    /// <param name="method">The caller's authentication method (<c>jwt</c>, <c>oidc</c>); also its name's prefix.</param>
    /// <param name="what">The token in messages, e.g. "The JWT".</param>
    /// <param name="expiresAt">When the caller's credential stops working.</param>
    public static (ClaimsPrincipal? Principal, string? Failure) Map(ClaimsPrincipal token, SecurityToken? securityToken, CallerClaimNames names, string method, string what,
        DateTimeOffset? expiresAt)
    {
        var roles = token.FindAll(names.Role).SelectMany(c => Split(c.Value)).Where(NexusRoles.IsValid).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0) return (null, $"{what} carries no Nexus role in its '{names.Role}' claim ({string.Join(", ", NexusRoles.All)}).");
        var queues = token.FindAll(names.Queues).SelectMany(c => Split(c.Value)).Distinct(StringComparer.Ordinal).ToList();
        // A queue limit that names no queue must not read as "no limit": fail closed.
        if (queues.Count == 0 && JwtClaims.Has(securityToken, token, names.Queues))
        {
            return (null, $"{what}'s '{names.Queues}' claim is present but names no queue; leave it out for every queue, or name the queues.");
        }
        var namespaces = token.FindAll(names.Namespaces).SelectMany(c => Split(c.Value)).Distinct(StringComparer.Ordinal).ToList();
        var namespacesClaimed = namespaces.Count > 0 || JwtClaims.Has(securityToken, token, names.Namespaces);
        var limited = queues.Count > 0 || namespacesClaimed;
        var sub = token.FindFirst("sub")?.Value;
        var subject = sub ?? token.FindFirst("name")?.Value ?? "unknown";
        return (Caller.Principal($"{method}:{subject}", method, roles, queues.Count == 0 ? null : queues, bucket: JwtClaims.Bucket(securityToken, token, sub),
            namespaces: limited ? namespaces : null, expiresAt: expiresAt), null);
    }

    private static string[] Split(string value) => value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
