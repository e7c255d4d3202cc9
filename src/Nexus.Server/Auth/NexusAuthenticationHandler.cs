using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Nexus.Server.Api;

namespace Nexus.Server.Auth;

/// <summary>
/// The one authentication scheme of the API. It reads, in order: an API key (<c>X-Api-Key</c>, or a bearer token that
/// is not a JWT), a JWT bearer token (validated by the JWT scheme when configured), and otherwise — only in development
/// mode and only for requests from this machine — nobody, as <c>admin</c>. Failures and challenges answer with
/// problem+json that says what is wrong without echoing the credential.
/// </summary>
internal sealed class NexusAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    ApiKeyValidator keys,
    IOptions<NexusAuthOptions> authOptions,
    LoopbackGuard guard)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    private readonly NexusAuthOptions _auth = authOptions.Value;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers;
        string? apiKey = headers["X-Api-Key"].FirstOrDefault();
        string? bearer = null;
        var authorization = headers.Authorization.FirstOrDefault();
        if (!string.IsNullOrEmpty(authorization))
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return AuthenticateResult.Fail("Only Bearer credentials are accepted in the Authorization header (an API key or a JWT).");
            }
            bearer = authorization["Bearer ".Length..].Trim();
        }
        if (apiKey is null && bearer is not null && !LooksLikeJwt(bearer)) apiKey = bearer;

        if (apiKey is not null)
        {
            var (principal, failure) = await keys.ValidateAsync(apiKey.Trim(), Context.RequestAborted);
            return principal is null ? AuthenticateResult.Fail(failure!) : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        if (bearer is not null)
        {
            if (!_auth.Jwt.Enabled) return AuthenticateResult.Fail("JWT bearer tokens are not accepted by this server (Nexus:Auth:Jwt is not configured); use an API key.");
            var result = await Context.AuthenticateAsync(JwtBearerSetup.Scheme);
            if (result.Succeeded) return AuthenticateResult.Success(new AuthenticationTicket(result.Principal!, Scheme.Name));
            return AuthenticateResult.Fail(DescribeJwtFailure(result.Failure));
        }
        // Browsers cannot set headers on a WebSocket or an EventSource: the live endpoints (only they) take a live token
        // in the query string.
        if (Request.Query.TryGetValue("access_token", out var token) && Live.LiveTokens.IsLivePath(Request.Path))
        {
            var (principal, failure) = Context.RequestServices.GetRequiredService<Live.LiveTokens>().Validate(token.ToString());
            return principal is null ? AuthenticateResult.Fail(failure!) : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }
        if (DevelopmentAccess.Allows(_auth, guard, Context))
        {
            return AuthenticateResult.Success(new AuthenticationTicket(DevelopmentAccess.Principal(), Scheme.Name));
        }
        return AuthenticateResult.NoResult();
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = result.Failure?.Message;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer realm=\"nexus\"" : "Bearer realm=\"nexus\", error=\"invalid_token\"";
        var detail = failure ?? (_auth.AnonymousLoopback
            ? "Credentials are required: send an API key (Authorization: Bearer nx_… or X-Api-Key) or a JWT. Anonymous access is allowed only from this machine, without proxy headers."
            : "Credentials are required: send an API key (Authorization: Bearer nx_… or X-Api-Key) or a JWT. For local development, start the server with --dev to allow anonymous requests from this machine.");
        await Problems.WriteAsync(Context, 401, failure is null ? "unauthenticated" : "invalid-credentials", "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, 403, "forbidden", "Forbidden", "Your credentials do not allow this request.");

    internal static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;

    internal static string DescribeJwtFailure(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException e => $"The JWT expired at {e.Expires:O}.",
        SecurityTokenNotYetValidException => "The JWT is not valid yet (nbf is in the future).",
        SecurityTokenInvalidAudienceException => "The JWT's audience (aud) is not the one this server accepts.",
        SecurityTokenInvalidIssuerException => "The JWT's issuer (iss) is not the one this server accepts.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The JWT's signature does not verify with this server's keys.",
        NexusRoleException e => e.Message,
        null => "The JWT is not valid.",
        _ => "The JWT is not valid (malformed or unverifiable).",
    };
}

/// <summary>A valid JWT that carries no usable Nexus role.</summary>
internal sealed class NexusRoleException(string message) : Exception(message);
