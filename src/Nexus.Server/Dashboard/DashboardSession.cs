using Microsoft.AspNetCore.DataProtection;

namespace Nexus.Server.Dashboard;

/// <summary>The dashboard's session cookie: the API key the user signed in with, encrypted and authenticated by ASP.NET
/// Data Protection (so it cannot be read or forged in the browser), expiring after <see cref="Lifetime"/>, HttpOnly and
/// SameSite=Strict. The key inside is validated again on every request, so a revoked or expired key ends the session at
/// once (within the key cache's few seconds).</summary>
internal sealed class DashboardSession(IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "nexus_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("Nexus.Dashboard.Session.v1").ToTimeLimitedDataProtector();

    public void Write(HttpContext context, string apiKey)
    {
        var value = _protector.Protect(apiKey, time.GetUtcNow().Add(Lifetime));
        context.Response.Cookies.Append(CookieName, value, Options(context));
    }

    /// <summary>The API key in the request's cookie, or null when there is none or it cannot be read (tampered, expired,
    /// or made by another server's keys).</summary>
    public string? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value)) return null;
        try
        {
            var key = _protector.Unprotect(value, out var expires);
            return expires > time.GetUtcNow() ? key : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public static void Clear(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(context));

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
