using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Options;
using Nexus.Live;
using Nexus.Server.Api;
using Nexus.Server.Auth;

namespace Nexus.Server.Live;

/// <summary><c>/ws</c>: the live protocol over a WebSocket (docs/realtime.md). Authenticated at the handshake (API key,
/// JWT, or a live token in <c>access_token</c>) with the Origin rule; then JSON text messages both ways.</summary>
internal static class WebSocketEndpoint
{
    private const int MaxMessageBytes = 64 * 1024;

    public static async Task HandleAsync(HttpContext http, INexusLive live, IOptions<LiveServerOptions> options, LiveConnections registry)
    {
        var settings = options.Value;
        OriginCheck.Ensure(http, settings);
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw new ApiProblemException(400, "websocket-required", "Bad request", "Open /ws with a WebSocket handshake, or read /sse as Server-Sent Events.");
        }
        var caller = Caller.From(http.User);
        var device = LiveDevice.Of(http);
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await using var connection = new LiveConnection(live, settings, registry, caller, device);
        connection.Send(LiveMessages.Welcome(connection.Id, device, settings.BufferSize));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.CutOff);
        var sending = SendAsync(socket, connection, stop.Token);
        var receiving = ReceiveAsync(socket, connection, stop.Token);
        await Task.WhenAny(sending, receiving);
        await stop.CancelAsync();
        await Task.WhenAll(sending, receiving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (connection.Cut is { } cut)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(LiveMessages.Closing(cut.Code, cut.Message)), WebSocketMessageType.Text, true, closing.Token);
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, cut.Code, closing.Token);
            }
            else
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", closing.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client is gone already.
        }
    }

    private static async Task SendAsync(WebSocket socket, LiveConnection connection, CancellationToken stop)
    {
        try
        {
            await foreach (var message in connection.Outgoing.ReadAllAsync(stop))
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(message.Json), WebSocketMessageType.Text, true, stop);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private static async Task ReceiveAsync(WebSocket socket, LiveConnection connection, CancellationToken stop)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop);
                if (result.MessageType == WebSocketMessageType.Close) return;
                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessageBytes)
                {
                    connection.Send(LiveMessages.Error(null, "message-too-large", $"A client message has at most {MaxMessageBytes} bytes."));
                    return;
                }
                if (!result.EndOfMessage) continue;
                var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                message.SetLength(0);
                await connection.HandleAsync(text, stop);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }
}
