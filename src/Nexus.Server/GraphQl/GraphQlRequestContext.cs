using GraphQL;
using Nexus.Server.Auth;

namespace Nexus.Server.GraphQl;

/// <summary>What every resolver knows of its request: the HTTP request (or WebSocket handshake) it came in on, and so
/// the caller whose roles and limits every field checks — the same <see cref="Auth.Caller"/> as REST's.</summary>
internal sealed class GraphQlRequestContext(HttpContext http) : Dictionary<string, object?>
{
    public HttpContext Http { get; } = http;

    public Caller Caller { get; } = Caller.From(http.User);
}
