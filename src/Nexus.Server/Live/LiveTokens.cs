using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Nexus.Server.Auth;

namespace Nexus.Server.Live;

/// <summary>Short-lived tokens for browsers, which cannot set headers on a WebSocket or EventSource: minted by an
/// authenticated caller, they carry that caller's rights (never more) and a device id, signed with HMAC-SHA256, and are
/// accepted only in the <c>access_token</c> query parameter of the live endpoints until they expire.</summary>
internal sealed class LiveTokens
{
    public const string DeviceClaim = "nexus:device";
    private readonly byte[] _secret;
    private readonly TimeProvider _time;
    private readonly LiveServerOptions _options;

    public LiveTokens(IOptions<LiveServerOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _secret = _options.TokenSecret is { Length: >= 32 } secret ? Encoding.UTF8.GetBytes(secret) : RandomNumberGenerator.GetBytes(32);
    }

    public (string Token, DateTimeOffset ExpiresAt) Mint(ClaimsPrincipal user, string device)
    {
        var expires = _time.GetUtcNow() + _options.TokenLifetime;
        var body = new TokenBody(
            [.. user.Claims.Where(c => c.Type.StartsWith("nexus:", StringComparison.Ordinal) && c.Type != DeviceClaim).Select(c => new[] { c.Type, c.Value })],
            device, expires.ToUnixTimeSeconds());
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(body, LiveJson.Default.TokenBody));
        return ("nxl_" + payload + "." + Base64Url(Sign(payload)), expires);
    }

    public (ClaimsPrincipal? Principal, string? Failure) Validate(string token)
    {
        if (!token.StartsWith("nxl_", StringComparison.Ordinal)) return (null, "The access_token is not a live token (mint one at POST /api/v1/live/tokens).");
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return (null, "The access_token is malformed.");
        var payload = token[4..dot];
        byte[] signature;
        TokenBody? body;
        try
        {
            signature = FromBase64Url(token[(dot + 1)..]);
            if (!CryptographicOperations.FixedTimeEquals(signature, Sign(payload))) return (null, "The access_token's signature does not verify on this server.");
            body = JsonSerializer.Deserialize(FromBase64Url(payload), LiveJson.Default.TokenBody);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return (null, "The access_token is malformed.");
        }
        if (body is null) return (null, "The access_token is malformed.");
        if (DateTimeOffset.FromUnixTimeSeconds(body.Exp) <= _time.GetUtcNow()) return (null, "The access_token has expired; mint a new one.");
        var claims = body.Claims.Where(c => c.Length == 2).Select(c => new Claim(c[0], c[1])).Append(new Claim(DeviceClaim, body.Device));
        return (new ClaimsPrincipal(new ClaimsIdentity(claims, Caller.Scheme, Caller.NameClaim, Caller.RoleClaim)), null);
    }

    /// <summary>The paths that accept a live token: <c>/ws</c>, <c>/sse</c> and state watches.</summary>
    public static bool IsLivePath(PathString path) =>
        path.Equals("/ws", StringComparison.OrdinalIgnoreCase) || path.Equals("/sse", StringComparison.OrdinalIgnoreCase)
        || (path.StartsWithSegments("/api/v1/namespaces", StringComparison.OrdinalIgnoreCase) && path.Value!.EndsWith("/state-watch", StringComparison.OrdinalIgnoreCase));

    private byte[] Sign(string payload) => HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(payload));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}

/// <summary>What a live token carries.</summary>
internal sealed record TokenBody(string[][] Claims, string Device, long Exp);
