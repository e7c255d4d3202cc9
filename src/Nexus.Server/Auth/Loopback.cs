using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nexus.Server.Auth;

/// <summary>What counts as "from this machine" for anonymous development access, and what a listening address is.</summary>
internal static class Loopback
{
    private static readonly string[] ProxyHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP"];

    /// <summary>
    /// True when the request comes over a loopback connection, was not relayed by a proxy on this machine (a proxy
    /// would make the whole network look local), names a loopback host (against DNS rebinding), and carries no
    /// browser origin other than a loopback one (so a web page cannot use the open door through the user's browser).
    /// </summary>
    public static bool IsLocal(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IsLoopback(remote)) return false;
        var headers = context.Request.Headers;
        if (ProxyHeaders.Any(headers.ContainsKey)) return false;
        if (!IsLoopbackHost(context.Request.Host.Host)) return false;
        var origin = headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && IsLoopbackHost(uri.Host));
    }

    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    public static bool IsLoopbackHost(string host)
    {
        host = host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IsLoopback(ip));
    }

    /// <summary>True when a listening URL such as <c>http://127.0.0.1:5080</c> accepts only loopback connections.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        // Kestrel's wildcards (http://*:80, http://+:80) are not valid URIs; treat them as the network.
        var normalized = url.Replace("://*", "://wildcard.invalid", StringComparison.Ordinal).Replace("://+", "://wildcard.invalid", StringComparison.Ordinal);
        return Uri.TryCreate(normalized, UriKind.Absolute, out var uri) && IsLoopbackHost(uri.Host);
    }
}
