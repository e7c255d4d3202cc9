using System.Security.Cryptography;
using System.Text;

namespace Nexus.Server.Auth;

/// <summary>
/// The text of an API key: <c>nx_</c>, a 16-hex-digit public id, <c>_</c>, and a 43-character secret (32 random bytes,
/// base64url). The id finds the stored row; the SHA-256 of the whole text is compared in constant time with the stored
/// hash. The secret is never stored or logged.
/// </summary>
internal static class ApiKeyFormat
{
    private const string Prefix = "nx_";
    private const int IdLength = 16;
    private const int SecretLength = 43;

    public static (string Id, string Key, string Hash) Create()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = $"{Prefix}{id}_{secret}";
        return (id, key, Hash(key));
    }

    /// <summary>The public id of a well-formed key, or null.</summary>
    public static string? IdOf(string key)
    {
        if (key.Length != Prefix.Length + IdLength + 1 + SecretLength || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + IdLength] != '_')
        {
            return null;
        }
        var id = key.Substring(Prefix.Length, IdLength);
        return id.All(char.IsAsciiHexDigitLower) ? id : null;
    }

    /// <summary>Lower-case hex of the SHA-256 of the key text.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Constant-time comparison of two hex hashes.</summary>
    public static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>What may be shown of a key: its prefix and id.</summary>
    public static string Shown(string id) => $"{Prefix}{id}_…";
}
