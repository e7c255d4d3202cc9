using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Client;

/// <summary>
/// Live subscriptions over <c>/ws</c> (docs/realtime.md): <see cref="SubscribeAsync"/> yields every change of the
/// channels in log order and, when the connection drops, reconnects by itself and resumes after the last cursor it
/// yielded — nothing lost, nothing twice. When retention has passed that cursor it throws
/// <see cref="NexusResyncException"/>: read the current state again and subscribe from its <c>Head</c>.
/// </summary>
/// <example><code>
/// await foreach (var change in nexus.Live.SubscribeAsync("shop", [LiveChannelSpec.Of("docs:orders", """{"priority":"high"}""")], ct: ct))
///     Console.WriteLine($"{change.Op} {change.Id} v{change.Version}");
/// </code></example>
public sealed class LiveClient
{
    private readonly Uri _socketUri;
    private readonly string? _apiKey;

    internal LiveClient(NexusClientOptions options)
    {
        var b = new UriBuilder(options.BaseAddress) { Scheme = options.BaseAddress.Scheme == "https" ? "wss" : "ws" };
        b.Path = b.Path.TrimEnd('/') + "/ws";
        _socketUri = b.Uri;
        _apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey.Trim();
    }

    /// <summary>Pause before a reconnect after a drop (doubling up to 30 s while the server is unreachable). Default 200 ms.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Connections opened by subscriptions of this client so far (the first and every reconnect).</summary>
    public int Connections => Volatile.Read(ref _connections);

    private int _connections;
    private ClientWebSocket? _current;


    /// <summary>Drops the current connection as a lost network would; a running subscription reconnects and resumes.</summary>
    public void Drop()
    {
        try
        {
            Volatile.Read(ref _current)?.Abort();
        }
        catch (ObjectDisposedException)
        {
            // Already closed: the subscription is reconnecting anyway.
        }
    }

    /// <summary>Changes of <paramref name="channels"/> in <paramref name="namespace"/> after <paramref name="after"/>
    /// (null: from now), until <paramref name="ct"/> is cancelled.</summary>
    /// <exception cref="NexusResyncException">Retention removed changes after the cursor.</exception>
    /// <exception cref="NexusApiException">The server refused the subscription (a bad channel, a namespace outside the key's limits).</exception>
    public async IAsyncEnumerable<LiveChangeInfo> SubscribeAsync(string @namespace, IReadOnlyList<LiveChannelSpec> channels, string? after = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var cursor = after;
        var delay = ReconnectDelay;
        while (!ct.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            if (_apiKey is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + _apiKey);
            var connected = false;
            try
            {
                await socket.ConnectAsync(_socketUri, ct).ConfigureAwait(false);
                connected = true;
                Interlocked.Increment(ref _connections);
                Volatile.Write(ref _current, socket);
                await socket.SendAsync(Encoding.UTF8.GetBytes(Subscribe(@namespace, channels, cursor)), WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                if (!connected && socket.HttpStatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
                {
                    throw new NexusApiException(socket.HttpStatusCode, "unauthorized", "Unauthorized", $"The server refused the live connection ({(int)socket.HttpStatusCode}).");
                }
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                continue;
            }
            while (true)
            {
                JsonElement? message;
                try
                {
                    message = await ReceiveAsync(socket, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    message = null;
                }
                if (message is not { } m) break;
                switch (m.GetProperty("type").GetString())
                {
                    case "change":
                        var change = LiveChangeInfo.From(m);
                        cursor = change.Cursor;
                        delay = ReconnectDelay;
                        yield return change;
                        break;
                    case "resync":
                        throw new NexusResyncException(m.GetProperty("message").GetString() ?? "Resync needed.", m.GetProperty("head").GetString()!);
                    case "error":
                        throw new NexusApiException(System.Net.HttpStatusCode.BadRequest, m.GetProperty("code").GetString() ?? "error", "Subscription refused",
                            m.GetProperty("message").GetString() ?? "The subscription was refused.", m.TryGetProperty("field", out var f) ? f.GetString() : null);
                }
            }
            Volatile.Write(ref _current, null);
            if (!ct.IsCancellationRequested) await Task.Delay(ReconnectDelay, ct).ConfigureAwait(false);
        }
    }

    private static string Subscribe(string ns, IReadOnlyList<LiveChannelSpec> channels, string? after)
    {
        var list = new JsonArray();
        foreach (var c in channels)
        {
            list.Add((JsonNode)new JsonObject { ["channel"] = c.Channel, ["filter"] = c.FilterJson is null ? null : JsonNode.Parse(c.FilterJson) });
        }
        var message = new JsonObject { ["type"] = "subscribe", ["sub"] = "s", ["namespace"] = ns, ["channels"] = list };
        if (after is not null) message["after"] = after;
        return message.ToJsonString();
    }

    private static async Task<JsonElement?> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            using var doc = JsonDocument.Parse(message.ToArray());
            return doc.RootElement.Clone();
        }
    }
}

/// <summary>A channel to subscribe to, with an optional filter (docs/realtime.md, docs/filters.md).</summary>
/// <param name="Channel"><c>docs:{model}[/{id}]</c>, <c>state:{key}</c>, <c>state-prefix:{prefix}</c> or <c>events:{pattern}</c>.</param>
/// <param name="FilterJson">A filter, or null.</param>
public sealed record LiveChannelSpec(string Channel, string? FilterJson = null)
{
    /// <summary>A channel, optionally filtered.</summary>
    public static LiveChannelSpec Of(string channel, string? filterJson = null) => new(channel, filterJson);
}

/// <summary>One change pushed by the server.</summary>
public sealed record LiveChangeInfo
{
    /// <summary>Its namespace.</summary>
    public required string Namespace { get; init; }
    /// <summary>Its cursor: resume after it.</summary>
    public required string Cursor { get; init; }
    /// <summary>Its log position.</summary>
    public required long Position { get; init; }
    /// <summary>The channels it matched.</summary>
    public required IReadOnlyList<string> Channels { get; init; }
    /// <summary><c>state</c>, <c>document</c> or <c>event</c>.</summary>
    public required string Kind { get; init; }
    /// <summary><c>created</c>, <c>updated</c> or <c>deleted</c> (state and documents).</summary>
    public string? Op { get; init; }
    /// <summary>The state key.</summary>
    public string? Key { get; init; }
    /// <summary>The document's model.</summary>
    public string? Model { get; init; }
    /// <summary>The document's id.</summary>
    public string? Id { get; init; }
    /// <summary>The version written.</summary>
    public long Version { get; init; }
    /// <summary>The state value, the created document, or the event payload (JSON); null otherwise.</summary>
    public string? ValueJson { get; init; }
    /// <summary>The slim JSON Patch of a document update.</summary>
    public string? PatchJson { get; init; }
    /// <summary>The event's topic.</summary>
    public string? Topic { get; init; }
    /// <summary>The whole message as the server sent it.</summary>
    public required JsonElement Message { get; init; }

    internal static LiveChangeInfo From(JsonElement m)
    {
        string? S(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        string? R(string name) => m.TryGetProperty(name, out var v) ? v.GetRawText() : null;
        var kind = S("kind") ?? "event";
        return new LiveChangeInfo
        {
            Namespace = S("namespace")!,
            Cursor = S("cursor")!,
            Position = m.GetProperty("position").GetInt64(),
            Channels = [.. m.GetProperty("channels").EnumerateArray().Select(c => c.GetString()!)],
            Kind = kind,
            Op = S("op"),
            Key = S("key"),
            Model = S("model"),
            Id = kind == "document" ? S("id") : null,
            Version = m.TryGetProperty("version", out var v) ? v.GetInt64() : 0,
            ValueJson = R("value") ?? R("document") ?? R("payload"),
            PatchJson = R("patch"),
            Topic = S("topic"),
            Message = m,
        };
    }
}

/// <summary>Retention removed changes after the subscription's cursor: read the current state again, then subscribe
/// after <see cref="Head"/>.</summary>
public sealed class NexusResyncException(string message, string head) : Exception(message)
{
    /// <summary>The cursor to subscribe after once the state has been read again.</summary>
    public string Head { get; } = head;
}
