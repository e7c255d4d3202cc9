using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Server.Auth;

/// <summary>What a validated JWT says beyond its mapped claims: whether a claim is present at all (an empty array
/// maps to no claim), and a stable rate-limit bucket for a token without a subject.</summary>
internal static class JwtClaims
{
    /// <summary>True when the token's payload has <paramref name="name"/>, whatever its value (<c>""</c>, <c>[]</c>).</summary>
    public static bool Has(SecurityToken? token, ClaimsPrincipal principal, string name)
    {
        if (principal.FindFirst(name) is not null) return true;
        if (token is not JsonWebToken jwt) return false;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        return payload.RootElement.ValueKind == JsonValueKind.Object && payload.RootElement.TryGetProperty(name, out _);
    }

    /// <summary>The rate-limit bucket: the subject when there is one; else the token's <c>jti</c>; else a hash of the
    /// token itself, so that tokens without a subject do not all share one bucket.</summary>
    public static string Bucket(SecurityToken? token, ClaimsPrincipal principal, string? subject)
    {
        if (subject is not null) return "jwt-sub:" + subject;
        if (principal.FindFirst("jti")?.Value is { Length: > 0 } jti) return "jwt-jti:" + jti;
        var text = token is JsonWebToken jwt ? jwt.EncodedToken : token?.ToString() ?? "";
        return "jwt-token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
