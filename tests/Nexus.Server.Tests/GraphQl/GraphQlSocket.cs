using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Nexus.Server.Tests.GraphQl;

/// <summary>A real graphql-transport-ws client over <see cref="ClientWebSocket"/>, as a browser or Apollo would speak it.</summary>
public sealed class GraphQlSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private GraphQlSocket(ClientWebSocket socket) => _socket = socket;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseDescription => _socket.CloseStatusDescription;

    public static async Task<GraphQlSocket> ConnectAsync(Uri server, string? key, string protocol = "graphql-transport-ws", bool init = true, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        if (key is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        var uri = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = "/graphql" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(uri, timeout.Token);
        var client = new GraphQlSocket(socket);
        if (init)
        {
            await client.SendAsync(new { type = "connection_init", payload = new { } });
            var ack = await client.ReceiveAsync();
            Assert.Equal("connection_ack", ack?.GetProperty("type").GetString());
        }
        return client;
    }

    public Task SubscribeAsync(string id, string query, object? variables = null) =>
        SendAsync(new { id, type = "subscribe", payload = new { query, variables } });

    public async Task SendAsync(object message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The next message, or null when the server closed the connection; fails after 30 s.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[16384];
        using var message = new MemoryStream();
        while (true)
        {
            var read = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (read.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, read.Count);
            if (read.EndOfMessage) break;
        }
        using var document = JsonDocument.Parse(message.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>The next message that is not a ping or pong.</summary>
    public async Task<JsonElement> NextAsync()
    {
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException($"The server closed the connection: {CloseStatus} {CloseDescription}");
            if (message.GetProperty("type").GetString() is not ("ping" or "pong")) return message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }
        _socket.Dispose();
    }
}
