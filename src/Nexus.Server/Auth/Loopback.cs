using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nexus.Server.Auth;

/// <summary>What counts as "from this machine" for anonymous development access, and what a listening address is.</summary>
internal static class Loopback
{
    // Headers that proxies, load balancers and CDNs add when they relay a request. A direct client on this machine
    // (curl, a browser, the CLI) sends none of them; any one of them means the connection's loopback address is a
    // relay's, not the caller's. Names are matched case-insensitively, prefixes cover the families.
    private static readonly string[] ProxyHeaders =
    [
        "Forwarded", "Forwarded-For", "Via", "X-Real-IP", "X-Client-IP", "Client-IP", "True-Client-IP", "X-Cluster-Client-IP",
        "CF-Connecting-IP", "CF-Connecting-IPv6", "CF-Ray", "CF-Visitor", "CF-IPCountry", "Fastly-Client-IP", "Fastly-SSL",
        "X-ProxyUser-Ip", "X-Azure-ClientIP", "X-Azure-SocketIP", "X-Azure-FDID", "X-Appengine-User-IP", "X-Original-Host",
        "X-Original-URL", "X-Original-Forwarded-For", "X-Host", "X-ARR-ClientIP", "X-ARR-SSL", "Akamai-Origin-Hop",
        "X-Amzn-Trace-Id", "X-Cloud-Trace-Context", "Proxy-Client-IP", "WL-Proxy-Client-IP", "HTTP-Client-IP",
    ];

    private static readonly string[] ProxyHeaderPrefixes = ["X-Forwarded-", "X-Original-", "X-Envoy-", "X-Azure-", "X-Appengine-", "CF-", "Fastly-", "X-Nginx-", "X-Haproxy-"];

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
        if (IsRelayed(headers)) return false;
        if (!IsLoopbackHost(context.Request.Host.Host)) return false;
        var origin = headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && IsLoopbackHost(uri.Host));
    }

    /// <summary>True when the request carries a header that a proxy, load balancer or CDN adds.</summary>
    public static bool IsRelayed(IHeaderDictionary headers) =>
        ProxyHeaders.Any(headers.ContainsKey)
        || headers.Keys.Any(name => ProxyHeaderPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));

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
