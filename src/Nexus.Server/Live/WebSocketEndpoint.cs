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
    private const int MaxBatchBytes = 64 * 1024;

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
        // Neither loop is cancelled on purpose: cancelling a WebSocket's send or receive aborts it, and a cut-off client
        // is owed a close with the reason. The sender ends when the buffer is completed (a cut-off, or the client left).
        var sending = SendAsync(socket, connection, WebSocketBatching.CorkedStreamOf(http), http.RequestAborted);
        var receiving = ReceiveAsync(socket, connection, http.RequestAborted);
        if (await Task.WhenAny(sending, receiving) == receiving)
        {
            connection.Complete();
            await sending;
            if (socket.State == WebSocketState.CloseReceived) await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "bye", null);
            return;
        }
        await sending;
        var cut = connection.Cut;
        if (socket.State == WebSocketState.Open)
        {
            await CloseAsync(socket, cut is null ? WebSocketCloseStatus.NormalClosure : WebSocketCloseStatus.PolicyViolation, cut?.Code ?? "bye",
                cut is null ? null : LiveMessages.Closing(cut.Value.Code, cut.Value.Message));
        }
        // The client answers the close; one that does not within the grace is dropped.
        try
        {
            await receiving.WaitAsync(TimeSpan.FromSeconds(5), http.RequestAborted);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            socket.Abort();
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description, string? lastMessage)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (lastMessage is not null) await socket.SendAsync(Encoding.UTF8.GetBytes(lastMessage), WebSocketMessageType.Text, true, grace.Token);
            await socket.CloseOutputAsync(status, description, grace.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client is gone already.
        }
    }

    /// <summary>Sends what is queued, in order: everything waiting when the sender wakes (up to <see cref="MaxBatchBytes"/>)
    /// is written as back-to-back WebSocket messages into the corked stream and reaches the connection in one write.</summary>
    private static async Task SendAsync(WebSocket socket, LiveConnection connection, CorkedStream? corked, CancellationToken stop)
    {
        var outgoing = connection.Outgoing;
        try
        {
            while (await outgoing.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                if (corked is not null) await corked.CorkAsync(stop).ConfigureAwait(false);
                try
                {
                    while ((corked is null || corked.Corked < MaxBatchBytes) && outgoing.TryRead(out var message))
                    {
                        if (connection.Cut is not null) return;
                        await socket.SendAsync(message.Utf8.AsMemory(), WebSocketMessageType.Text, true, stop).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (corked is not null) await corked.UncorkAsync(stop).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
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
