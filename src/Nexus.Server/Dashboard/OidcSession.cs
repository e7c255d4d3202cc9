using System.Security.Claims;
using System.Text.Json;
using Nexus.Server.Auth;

namespace Nexus.Server.Dashboard;

/// <summary>What the session cookie holds after an OpenID Connect sign-in: the caller the ID token was mapped to (name,
/// roles, queue and namespace limits, expiry), as JSON inside the cookie's Data Protection envelope (so it can be neither
/// read nor forged in the browser). Unlike a key or a pasted JWT, there is nothing to check again at the provider on
/// each request: the session lasts <see cref="DashboardSession.Lifetime"/>, and signing out ends it.</summary>
internal static class OidcSession
{
    /// <summary>The session cookie's prefix for an OIDC sign-in (an API key never holds a space).</summary>
    public const string Prefix = "oidc ";

    private sealed record Stored(string Name, IReadOnlyList<string> Roles, IReadOnlyList<string>? Queues, IReadOnlyList<string>? Namespaces, long? ExpiresAt);

    public static string Write(ClaimsPrincipal principal)
    {
        var caller = Caller.From(principal);
        return Prefix + JsonSerializer.Serialize(new Stored(caller.Name, caller.Roles, caller.Queues?.Order(StringComparer.Ordinal).ToList(),
            caller.Namespaces?.Order(StringComparer.Ordinal).ToList(), caller.ExpiresAt?.ToUnixTimeMilliseconds()));
    }

    /// <summary>The caller's principal again, or null when the stored text is not one (it was made and authenticated by
    /// this server's keys, so that means a change of format).</summary>
    public static ClaimsPrincipal? Read(string value)
    {
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(value[Prefix.Length..]);
        }
        catch (JsonException)
        {
            return null;
        }
        if (stored is null || stored.Roles is null || stored.Roles.Count == 0) return null;
        DateTimeOffset? expires = stored.ExpiresAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return Caller.Principal(stored.Name, OidcSignIn.Method, stored.Roles, stored.Queues, bucket: "oidc:" + stored.Name,
            namespaces: stored.Namespaces, expiresAt: expires);
    }
}
