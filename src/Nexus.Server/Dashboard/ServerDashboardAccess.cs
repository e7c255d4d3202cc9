using Nexus.Dashboard.Access;
using Nexus.Server.Auth;

namespace Nexus.Server.Dashboard;

/// <summary>The server's side of dashboard sign-in: an API key checked by the API's validator (or a JWT checked by the
/// API's JWT scheme, when one is configured) becomes the session cookie, as does an OpenID Connect sign-in
/// (<see cref="OidcSignIn"/>, when configured); the caller of a page is the principal of <see cref="DashboardAuthenticationHandler"/>.</summary>
internal sealed class ServerDashboardAccess(ApiKeyValidator keys, DashboardSession session, Microsoft.Extensions.Options.IOptions<NexusAuthOptions> auth) : IDashboardAccess
{
    public const string PolicyName = "nexus:dashboard";

    public string Policy => PolicyName;

    public IDashboardUser? UserOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(Caller.MethodClaim) is not null
            ? new CallerDashboardUser(Caller.From(context.User))
            : null;

    public bool AcceptsJwt => auth.Value.Jwt.Enabled;

    public string? ExternalProvider => auth.Value.Oidc.Enabled ? auth.Value.Oidc.ProviderName : null;

    public async Task<string?> SignInAsync(HttpContext context, string apiKey, CancellationToken cancellationToken)
    {
        var jwt = DashboardJwt.LooksLikeJwt(apiKey);
        var (principal, failure) = jwt ? await DashboardJwt.ValidateAsync(context, auth.Value, apiKey) : await keys.ValidateAsync(apiKey, cancellationToken);
        if (principal is null) return failure;
        var caller = Caller.From(principal);
        if (!caller.Has(Right.Read))
        {
            return jwt
                ? $"This token's role ({string.Join(", ", caller.Roles)}) cannot read tasks, so it cannot use the dashboard."
                : $"This key's role ({string.Join(", ", caller.Roles)}) cannot read tasks, so it cannot use the dashboard; use a viewer, operator or admin key.";
        }
        session.Write(context, jwt ? DashboardJwt.SessionPrefix + apiKey : apiKey);
        return null;
    }

    public void SignOut(HttpContext context) => DashboardSession.Clear(context);
}
