using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Nexus.Server.Auth;

namespace Nexus.Server.Dashboard;

/// <summary>
/// The dashboard pages' authentication scheme: the API key (or JWT, <see cref="DashboardJwt"/>, or the caller of an
/// OpenID Connect sign-in, <see cref="OidcSession"/>) in the session cookie, checked by the API's own
/// <see cref="ApiKeyValidator"/>, and otherwise development mode's loopback rule (<see cref="DevelopmentAccess"/>). It
/// makes the same principal as the API's scheme, so <see cref="Caller"/> and every right work the same. Only dashboard
/// endpoints use it: the API never accepts the cookie, so no API call can be forged through a user's browser.
/// A challenge redirects to the login page.
/// </summary>
internal sealed class DashboardAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    ApiKeyValidator keys,
    DashboardSession session,
    IOptions<NexusAuthOptions> authOptions,
    LoopbackGuard guard)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string Name = "NexusDashboard";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var apiKey = session.Read(Context);
        if (apiKey is not null && apiKey.StartsWith(DashboardJwt.SessionPrefix, StringComparison.Ordinal))
        {
            // A JWT sign-in: checked again on every request (an expired token ends the session).
            var (principal, failure) = await DashboardJwt.ValidateAsync(Context, authOptions.Value, apiKey[DashboardJwt.SessionPrefix.Length..]);
            return principal is null ? AuthenticateResult.Fail(failure!) : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        if (apiKey is not null && apiKey.StartsWith(OidcSession.Prefix, StringComparison.Ordinal))
        {
            // An OpenID Connect sign-in: the caller its ID token was mapped to, kept until the session expires.
            var principal = OidcSession.Read(apiKey);
            return principal is null ? AuthenticateResult.Fail("The session is not readable; sign in again.") : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        if (apiKey is not null)
        {
            var (principal, failure) = await keys.ValidateAsync(apiKey, Context.RequestAborted);
            return principal is null ? AuthenticateResult.Fail(failure!) : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        if (DevelopmentAccess.Allows(authOptions.Value, guard, Context))
        {
            return AuthenticateResult.Success(new AuthenticationTicket(DevelopmentAccess.Principal(), Scheme.Name));
        }
        return AuthenticateResult.NoResult();
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Request.Cookies.ContainsKey(DashboardSession.CookieName)) DashboardSession.Clear(Context);
        var returnUrl = Request.PathBase + Request.Path + Request.QueryString;
        Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        return Task.CompletedTask;
    }
}
