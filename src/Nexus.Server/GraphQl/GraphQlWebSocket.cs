using System.Net.WebSockets;
using GraphQL;
using Microsoft.Extensions.Options;
using Nexus.Server.Live;

namespace Nexus.Server.GraphQl;

/// <summary>The graphql-transport-ws protocol at <c>/graphql</c>. The upgrade request is authenticated like every
/// other request (API key or JWT in the headers; no credentials, no upgrade) and passes the live endpoints' Origin rule
/// (<see cref="OriginCheck"/>: another site's page may not open it with a visitor's cookie), and every operation on the
/// connection runs as that caller. One <see cref="GraphQlConnection"/> per socket.</summary>
internal sealed class GraphQlWebSocket(GraphQlExecutor executor, IGraphQLTextSerializer serializer, IOptions<GraphQlOptions> options, IOptions<LiveServerOptions> live,
    TimeProvider time, ILogger<GraphQlWebSocket> logger)
{
    public const string SubProtocol = "graphql-transport-ws";

    public async Task RunAsync(HttpContext http)
    {
        OriginCheck.Ensure(http, live.Value);
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal))
        {
            http.Response.StatusCode = 400;
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.WriteAsync(serializer.Serialize(GraphQlExecutor.Failure(
                $"Sec-WebSocket-Protocol: ask for the {SubProtocol} subprotocol; it is the only one /graphql speaks.", "subprotocol-required")));
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
        using var connection = new GraphQlConnection(socket, http, executor, serializer, options.Value.ConnectionInitTimeout, time, logger);
        await connection.RunAsync(http.RequestAborted);
    }
}
