using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;

namespace Nexus.Server.GraphQl;

/// <summary>One graphql-transport-ws connection: <c>connection_init</c> within <paramref name="initTimeout"/> (else close
/// 4408), then <c>subscribe</c> / <c>complete</c> by operation id, <c>ping</c> / <c>pong</c>. Queries and mutations
/// answer one <c>next</c> and a <c>complete</c>; a subscription sends a <c>next</c> per event until the client
/// completes it or the connection closes. Messages go out through one bounded queue: a client that stops reading is
/// cut off (close 4413) instead of holding the server's memory.</summary>
internal sealed class GraphQlConnection(WebSocket socket, HttpContext http, GraphQlExecutor executor, IGraphQLTextSerializer serializer, TimeSpan initTimeout, TimeProvider time, ILogger logger) : IDisposable
{
    public const int OutboxSize = 1024;
    private const int MaxMessageBytes = 256 * 1024;

    private readonly Channel<string> _outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(OutboxSize) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly ConcurrentDictionary<string, IDisposable> _operations = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private bool _acknowledged;
    private int _closed;
    private (WebSocketCloseStatus Status, string Reason)? _close;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        var writer = WriteLoopAsync(linked.Token);
        using var initTimer = time.CreateTimer(_ => { if (!_acknowledged) Close(4408, "Connection initialisation timeout"); }, null, initTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            while (!linked.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                var text = await ReceiveAsync(linked.Token);
                if (text is null) break;
                await HandleAsync(text, linked.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            Interlocked.Exchange(ref _closed, 1);
            foreach (var op in _operations.Values) op.Dispose();
            _operations.Clear();
            _outbox.Writer.TryComplete();
            await initTimer.DisposeAsync();
            await _closing.CancelAsync();
            try
            {
                await writer;
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
            await CloseSocketAsync();
        }
    }

    private async Task HandleAsync(string text, CancellationToken cancellationToken)
    {
        OperationMessage? message;
        try
        {
            message = serializer.Deserialize<OperationMessage>(text);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            message = null;
        }
        switch (message?.Type)
        {
            case "connection_init":
                if (_acknowledged)
                {
                    Close(4429, "Too many initialisation requests");
                    return;
                }
                _acknowledged = true;
                Send("""{"type":"connection_ack"}""");
                return;
            case "ping":
                Send("""{"type":"pong"}""");
                return;
            case "pong":
                return;
            case "subscribe":
                if (!_acknowledged)
                {
                    Close(4401, "Unauthorized");
                    return;
                }
                if (string.IsNullOrEmpty(message.Id))
                {
                    Close(4400, "subscribe: id is required");
                    return;
                }
                await SubscribeAsync(message.Id, message.Payload, cancellationToken);
                return;
            case "complete":
                if (message.Id is not null && _operations.TryRemove(message.Id, out var op)) op.Dispose();
                return;
            default:
                Close(4400, message?.Type is { } t ? $"Unknown message type '{Shorten(t)}'" : "Invalid message: expected a JSON object with a type");
                return;
        }
    }

    private async Task SubscribeAsync(string id, object? payload, CancellationToken cancellationToken)
    {
        var placeholder = new Disposer(null);
        if (!_operations.TryAdd(id, placeholder))
        {
            Close(4409, $"Subscriber for {Shorten(id)} already exists");
            return;
        }
        GraphQLRequest? request;
        try
        {
            request = payload is null ? null : serializer.ReadNode<GraphQLRequest>(payload);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or GraphQL.Validation.InvalidVariableError)
        {
            _operations.TryRemove(id, out _);
            SendErrors(id, GraphQlExecutor.Failure($"payload: is not a GraphQL request ({ex.Message}).", "invalid-json"));
            return;
        }
        var result = await executor.ExecuteAsync(http, request, allowSubscription: true, allowMutation: true, cancellationToken);
        if (!result.Executed)
        {
            _operations.TryRemove(id, out _);
            SendErrors(id, result);
            return;
        }
        if (result.Streams is not { Count: > 0 } streams)
        {
            if (result.Operation?.Operation == GraphQLParser.AST.OperationType.Subscription)
            {
                // The subscription was refused before any event (no right, another namespace, a bad filter).
                _operations.TryRemove(id, out _);
                SendErrors(id, result);
                return;
            }
            _operations.TryRemove(id, out _);
            Send(Envelope(id, "next", serializer.Serialize(result)));
            Send(Envelope(id, "complete", null));
            return;
        }
        var subscription = streams.Values.First().Subscribe(new Forwarder(this, id));
        if (!_operations.TryUpdate(id, new Disposer(subscription), placeholder)) subscription.Dispose();
    }

    private void SendErrors(string id, ExecutionResult result) =>
        Send(Envelope(id, "error", serializer.Serialize(result.Errors ?? [])));

    private void Send(string message)
    {
        if (Volatile.Read(ref _closed) != 0) return; // a stream's last event racing the close: nobody reads it
        if (!_outbox.Writer.TryWrite(message))
        {
            Close(4413, $"Slow consumer: more than {OutboxSize} messages waiting to be read");
        }
    }

    /// <summary>Closes once, from any thread (the reader, a stream's reader, the init timer), with the first reason.</summary>
    private void Close(int status, string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _close = ((WebSocketCloseStatus)status, reason);
        // The writer sends what is queued, then the close frame; the reader ends when the client answers it. (Cancelling
        // a pending receive would abort the socket instead, and the client would never learn the reason.)
        _outbox.Writer.TryComplete();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, cancellationToken);
        }
        if (_close is { } close && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(close.Status, close.Reason, cancellationToken);
            _ = AbortUnansweredAsync(_closing.Token);
        }
    }

    /// <summary>A client that does not answer the close frame within 5 s is cut off.</summary>
    private async Task AbortUnansweredAsync(CancellationToken stopped)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5), time, stopped);
            await _closing.CancelAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task<string?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read.MessageType == WebSocketMessageType.Close) return null;
            if (read.MessageType == WebSocketMessageType.Binary)
            {
                Close(4400, "Binary messages are not part of graphql-transport-ws");
                return null;
            }
            message.Write(buffer, 0, read.Count);
            if (message.Length > MaxMessageBytes)
            {
                Close(4400, $"Message larger than {MaxMessageBytes} bytes");
                return null;
            }
            if (read.EndOfMessage) return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
        }
    }

    private async Task CloseSocketAsync()
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        var (status, reason) = _close ?? (WebSocketCloseStatus.NormalClosure, "bye");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        try
        {
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            logger.LogDebug(ex, "A GraphQL WebSocket did not close cleanly.");
        }
    }

    private static string Envelope(string id, string type, string? payload) =>
        payload is null
            ? $$"""{"id":{{JsonSerializer.Serialize(id)}},"type":"{{type}}"}"""
            : $$"""{"id":{{JsonSerializer.Serialize(id)}},"type":"{{type}}","payload":{{payload}}}""";

    public void Dispose() => _closing.Dispose();

    private string Serialize<T>(T value) => serializer.Serialize(value);

    private static string Shorten(string s) => s.Length <= 64 ? s : s[..64] + "…";

    private sealed class Disposer(IDisposable? inner) : IDisposable
    {
        public void Dispose() => inner?.Dispose();
    }

    /// <summary>Sends each result of a subscription's stream as <c>next</c>, its end as <c>complete</c>.</summary>
    private sealed class Forwarder(GraphQlConnection connection, string id) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => connection.Send(Envelope(id, "next", connection.Serialize(value)));

        public void OnError(Exception error)
        {
            var described = GraphQlErrors.Describe(error) ?? new ExecutionError("The subscription failed; the server log has the details.") { Code = "internal" };
            connection.Send(Envelope(id, "error", connection.Serialize(new ExecutionErrors { described })));
            connection._operations.TryRemove(id, out _);
        }

        public void OnCompleted()
        {
            if (connection._operations.TryRemove(id, out _)) connection.Send(Envelope(id, "complete", null));
        }
    }
}
