using Nexus.Server.Auth;

namespace Nexus.Server.Live;

/// <summary>The device a connection belongs to: a live token's device; else the <c>device</c> query parameter or the
/// <c>X-Nexus-Device</c> header; else the caller's key id or name. One device may hold several connections.</summary>
internal static class LiveDevice
{
    public static string Of(HttpContext http)
    {
        var fromToken = http.User.FindFirst(LiveTokens.DeviceClaim)?.Value;
        if (!string.IsNullOrEmpty(fromToken)) return fromToken;
        var asked = http.Request.Query["device"].FirstOrDefault() ?? http.Request.Headers["X-Nexus-Device"].FirstOrDefault();
        if (!string.IsNullOrEmpty(asked)) return Api.QueryValues.Text(asked, "device", 128)!;
        var caller = Caller.From(http.User);
        return caller.KeyId ?? caller.Name;
    }
}
