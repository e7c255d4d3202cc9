using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Nexus.Testing;

namespace Nexus.Server.Tests.Infrastructure;

/// <summary>A real WebSocket client of <c>/ws</c> (ClientWebSocket) speaking the live protocol's JSON messages.</summary>
public sealed class LiveClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private LiveClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>Connects; <paramref name="query"/> (e.g. <c>access_token=…</c>) and headers as given.</summary>
    public static async Task<LiveClient> ConnectAsync(Uri server, string? key = null, string? query = null, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (key is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        var uri = new UriBuilder(server) { Scheme = "ws", Path = "/ws", Query = query ?? "" }.Uri;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Http.Deadline);
        }
        catch
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new HandshakeRefusedException(status);
        }
        return new LiveClient(socket);
    }

    public Task SendAsync(string json) => _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SubscribeAsync(string sub, string ns, string channelsJson, string? after = null) =>
        SendAsync($$"""{"type":"subscribe","sub":"{{sub}}","namespace":"{{ns}}","channels":{{channelsJson}}{{(after is null ? "" : $",\"after\":\"{after}\"")}}}""");

    /// <summary>The next message, or null when the server closed the connection.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(timeout ?? Http.Deadline);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            using var doc = JsonDocument.Parse(message.ToArray());
            return doc.RootElement.Clone();
        }
    }

    /// <summary>The next message of <paramref name="type"/>, skipping others; fails when the connection closes first.</summary>
    public async Task<JsonElement> NextAsync(string type)
    {
        while (true)
        {
            var m = await ReceiveAsync() ?? throw new InvalidOperationException($"The connection closed before a '{type}' message ({CloseStatus} {CloseDescription}).");
            if (m.GetProperty("type").GetString() == type) return m;
        }
    }

    /// <summary>Drops the connection at once, as a lost network would (no close handshake).</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is WebSocketException or TimeoutException)
            {
            }
        }
        _socket.Dispose();
    }
}

/// <summary>The server refused the WebSocket handshake with this HTTP status.</summary>
public sealed class HandshakeRefusedException(System.Net.HttpStatusCode status) : Exception($"The handshake was refused with HTTP {(int)status}.")
{
    public System.Net.HttpStatusCode Status { get; } = status;
}
