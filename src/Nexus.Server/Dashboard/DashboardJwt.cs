using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Nexus.Server.Auth;

namespace Nexus.Server.Dashboard;

/// <summary>A JWT pasted on the dashboard's login page (or kept in its session cookie), checked by the API's own JWT
/// bearer scheme (<see cref="JwtBearerSetup"/>: issuer, audience, lifetime, signature, and the role, queue and namespace
/// claims), so a token grants on the dashboard exactly what it grants on the API. The token is handed to that scheme as
/// the request's bearer credential for the one check, then the request's own header is put back.</summary>
internal static class DashboardJwt
{
    /// <summary>The session cookie's prefix for a JWT (an API key never holds a space).</summary>
    public const string SessionPrefix = "jwt ";

    public static bool LooksLikeJwt(string credential) => NexusAuthenticationHandler.LooksLikeJwt(credential);

    public static async Task<(ClaimsPrincipal? Principal, string? Failure)> ValidateAsync(HttpContext context, NexusAuthOptions auth, string token)
    {
        if (!auth.Jwt.Enabled) return (null, "JWTs are not accepted by this server (Nexus:Auth:Jwt is not configured); use an API key.");
        var headers = context.Request.Headers;
        var saved = headers.Authorization;
        headers.Authorization = "Bearer " + token;
        try
        {
            var result = await context.AuthenticateAsync(JwtBearerSetup.Scheme);
            return result.Succeeded ? (result.Principal, null) : (null, NexusAuthenticationHandler.DescribeJwtFailure(result.Failure));
        }
        finally
        {
            headers.Authorization = saved;
        }
    }
}
