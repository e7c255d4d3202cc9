using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Nexus.Dashboard.Access;
using Nexus.Dashboard.Hosting;
using Nexus.Server.Auth;

namespace Nexus.Server.Dashboard;

/// <summary>
/// The dashboard's "Sign in with &lt;provider&gt;" (<see cref="OidcOptions"/>): <see cref="ChallengePath"/> sends the
/// browser to the provider (authorization code flow with PKCE, the answer in the query string), the provider sends it
/// back to <see cref="CallbackPath"/>, where ASP.NET Core's OpenID Connect handler checks state, correlation and nonce
/// cookies, redeems the code with the client secret and validates the ID token. Its claims become the caller through
/// <see cref="JwtCallerMapping"/>, as a JWT's do; a caller that may not read is refused. The caller goes into the session
/// cookie, and the answer is a same-site hop page: the session cookie is SameSite=Strict, and a browser does not send a
/// Strict cookie on a request that a cross-site redirect (the provider's) led to, so the hop's own navigation is the
/// first request that carries it. The correlation and nonce cookies are SameSite=Lax, which the provider's top-level
/// GET back does carry.
/// </summary>
internal static class OidcSignIn
{
    public const string Scheme = "NexusOidc";
    public const string Method = "oidc";
    public const string ChallengePath = ExternalSignIn.Path;
    public const string CallbackPath = "/signin-oidc";

    public static void Configure(OpenIdConnectOptions o, OidcOptions oidc)
    {
        o.Authority = oidc.Authority;
        o.RequireHttpsMetadata = !Loopback.IsLoopbackUrl(oidc.Authority!);
        o.ClientId = oidc.ClientId;
        o.ClientSecret = oidc.ClientSecret;
        o.ResponseType = OpenIdConnectResponseType.Code;
        // The answer comes back as a top-level GET, which carries the Lax correlation cookie (a cross-site form post would not).
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.Scope.Clear();
        foreach (var scope in oidc.ScopeList) o.Scope.Add(scope);
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = false;
        o.SaveTokens = false;
        o.DisableTelemetry = true;
        o.CallbackPath = CallbackPath;
        // Never used: the ticket is turned into the session cookie by OnTicketReceived, which ends the request itself.
        o.SignInScheme = DashboardAuthenticationHandler.Name;
        o.TokenValidationParameters.NameClaimType = "sub";
        foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.HttpOnly = true;
        }
        o.Events = new OpenIdConnectEvents
        {
            OnTokenValidated = context =>
            {
                var raw = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage?.IdToken;
                SecurityToken? idToken = raw is null ? null : new JsonWebToken(raw);
                var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
                var (principal, failure) = JwtCallerMapping.Map(context.Principal!, idToken, oidc.ClaimNames, Method, $"The ID token from {oidc.ProviderName}",
                    time.GetUtcNow().Add(DashboardSession.Lifetime));
                if (principal is null)
                {
                    context.Fail(new NexusRoleException(failure!));
                    return Task.CompletedTask;
                }
                var caller = Caller.From(principal);
                if (!caller.Has(Right.Read))
                {
                    context.Fail(new NexusRoleException($"Your role ({string.Join(", ", caller.Roles)}) cannot read tasks, so it cannot use the dashboard."));
                    return Task.CompletedTask;
                }
                context.Principal = principal;
                return Task.CompletedTask;
            },
            OnTicketReceived = async context =>
            {
                var session = context.HttpContext.RequestServices.GetRequiredService<DashboardSession>();
                session.Write(context.HttpContext, OidcSession.Write(context.Principal!));
                context.HandleResponse();
                await ExternalSignIn.ContinueAsync(context.HttpContext, ReturnUrls.Local(context.ReturnUri));
            },
            OnRemoteFailure = async context =>
            {
                context.HandleResponse();
                await ExternalSignIn.FailAsync(context.HttpContext, Describe(context.Failure, oidc.ProviderName));
            },
        };
    }

    /// <summary>Starts a sign-in at the provider, to come back to the (local) <c>returnUrl</c>. The handler reads the
    /// provider's discovery document and pushes the authorization request (PAR, where the provider offers it) with the
    /// client's credentials first: an unreachable provider or refused credentials end here, on the refusal page.</summary>
    public static async Task ChallengeAsync(HttpContext context, string? returnUrl, OidcOptions oidc)
    {
        try
        {
            await context.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = ReturnUrls.Local(returnUrl) });
        }
        catch (Exception ex) when ((ex is OpenIdConnectProtocolException or InvalidOperationException or HttpRequestException) && !context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignIn)).LogWarning(ex, "The OIDC sign-in with {Provider} could not start.", oidc.ProviderName);
            await ExternalSignIn.FailAsync(context, ex is OpenIdConnectProtocolException
                ? Describe(ex, oidc.ProviderName)
                : $"The sign-in with {oidc.ProviderName} could not start: its configuration could not be read from {oidc.Authority} (is the provider reachable from this server?).");
        }
    }

    /// <summary>Why the sign-in failed, for the user: what is wrong and what to do, never a token or a secret.</summary>
    internal static string Describe(Exception? failure, string provider) => failure switch
    {
        NexusRoleException e => e.Message,
        OpenIdConnectProtocolException e when e.Message.Contains("invalid_client", StringComparison.Ordinal) =>
            $"{provider} refused this server's client credentials (invalid_client): Nexus:Auth:Oidc:ClientId or ClientSecret is wrong.",
        OpenIdConnectProtocolException e when e.Message.Contains("access_denied", StringComparison.Ordinal) => $"{provider} did not grant the sign-in (access_denied).",
        null => $"The sign-in with {provider} failed.",
        // The handler's own messages: "Correlation failed.", "Unable to unprotect the message.State." and "The oauth state
        // was missing or invalid."
        _ when failure.Message.Contains("Correlation failed", StringComparison.Ordinal) || failure.Message.Contains("message.State", StringComparison.Ordinal)
            || failure.Message.Contains("oauth state", StringComparison.OrdinalIgnoreCase) =>
            $"The answer from {provider} does not belong to a sign-in this browser started (its state or correlation cookie is missing or altered); start again.",
        _ => $"The sign-in with {provider} failed: {failure.Message}",
    };
}
