namespace Nexus.Server.Auth;

/// <summary>Development mode's one rule, shared by the API and the dashboard: anonymous requests from this machine (see
/// <see cref="Loopback.IsLocal"/>) are served as admin, once <see cref="LoopbackGuard"/> saw every bound address to be
/// loopback.</summary>
internal static class DevelopmentAccess
{
    public const string Method = "anonymous-loopback";

    public static bool Allows(NexusAuthOptions auth, LoopbackGuard guard, HttpContext context) =>
        auth.AnonymousLoopback && guard.Verified && Loopback.IsLocal(context);

    public static System.Security.Claims.ClaimsPrincipal Principal() =>
        Caller.Principal("anonymous@loopback", Method, [NexusRoles.Admin], null);
}
