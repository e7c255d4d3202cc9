using System.Text.Json;
using System.Threading.Channels;
using Nexus.Events;
using Nexus.Live;
using Nexus.Server.Api;
using Nexus.Server.Auth;

namespace Nexus.Server.Live;

/// <summary>
/// One client connection (WebSocket or SSE): its caller and device, its subscriptions, and one bounded buffer of
/// messages to send. The namespace readers write into the buffer and never wait; a full buffer cuts the connection
/// off with the reason <c>slow-consumer</c> (the client resumes from its last cursor). Disposing ends every
/// subscription.
/// </summary>
internal sealed class LiveConnection : ILiveSink, IAsyncDisposable
{
    private readonly INexusLive _live;
    private readonly LiveServerOptions _options;
    private readonly LiveConnections _registry;
    private readonly Channel<LiveOutgoing> _out;
    private readonly Dictionary<string, IAsyncDisposable> _subscriptions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private readonly CancellationTokenSource _cut = new();
    private string? _cutCode;
    private string? _cutMessage;

    public LiveConnection(INexusLive live, LiveServerOptions options, LiveConnections registry, Caller caller, string device)
    {
        _live = live;
        _options = options;
        _registry = registry;
        Caller = caller;
        Device = device;
        Id = Guid.NewGuid().ToString("N")[..12];
        _out = Channel.CreateBounded<LiveOutgoing>(new BoundedChannelOptions(Math.Max(1, options.BufferSize)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        registry.Add(this);
    }

    public string Id { get; }
    public Caller Caller { get; }
    public string Device { get; }

    /// <summary>What to send, in order.</summary>
    public ChannelReader<LiveOutgoing> Outgoing => _out.Reader;

    /// <summary>Cancelled when the connection is cut off (slow consumer).</summary>
    public CancellationToken CutOff => _cut.Token;

    /// <summary>Why it was cut off: a code and a message, or null.</summary>
    public (string Code, string Message)? Cut => _cutCode is null ? null : (_cutCode, _cutMessage!);

    /// <summary>Queues a change: the parts every subscriber shares are formatted once per change (<see cref="ChangeParts"/>),
    /// this connection adds its subscription's id and channels.</summary>
    public bool TryWrite(LiveDelivery delivery)
    {
        var parts = ChangeParts.Of(delivery.Change, delivery.Namespace);
        return Send(new LiveOutgoing("change", parts.Cursor, LiveMessages.Change(delivery, parts)));
    }

    /// <summary>Queues a message (its type is the first property every server message writes).</summary>
    public bool Send(string json) => Send(LiveOutgoing.Of(json));

    /// <summary>Queues a message; a full buffer cuts the connection off.</summary>
    public bool Send(LiveOutgoing message)
    {
        if (_cut.IsCancellationRequested) return false;
        if (_out.Writer.TryWrite(message)) return true;
        CutOff_("slow-consumer", $"More than {_options.BufferSize} messages waited to be sent: the connection is closed. Reconnect and resume from the last cursor you received.");
        return false;
    }

    private void CutOff_(string code, string message)
    {
        if (Interlocked.CompareExchange(ref _cutCode, code, null) is not null) return;
        _cutMessage = message;
        _registry.CountCutOff();
        // What waits in the buffer is dropped: the client resumes from the last cursor it received.
        _out.Writer.TryComplete();
        _cut.Cancel();
    }

    /// <summary>Ends the outgoing stream (the client left): the sender stops.</summary>
    public void Complete() => _out.Writer.TryComplete();

    /// <summary>Handles one client message (<c>subscribe</c>, <c>unsubscribe</c>, <c>ping</c>).</summary>
    public async Task HandleAsync(string text, CancellationToken cancellationToken)
    {
        JsonElement message;
        try
        {
            using var doc = JsonDocument.Parse(text);
            message = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            Send(LiveMessages.Error(null, "invalid-message", "A message is one JSON object with a \"type\"."));
            return;
        }
        var type = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var id = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("sub", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        switch (type)
        {
            case "subscribe":
                await SubscribeAsync(id, message, cancellationToken).ConfigureAwait(false);
                break;
            case "unsubscribe":
                await UnsubscribeAsync(id ?? "").ConfigureAwait(false);
                break;
            case "ping":
                Send(LiveMessages.Pong());
                break;
            default:
                Send(LiveMessages.Error(id, "invalid-message", "type: use subscribe, unsubscribe or ping", "type"));
                break;
        }
    }

    /// <summary>Parses and starts a subscription; every failure is answered as an <c>error</c> (or <c>resync</c>) message.</summary>
    public async Task SubscribeAsync(string? id, JsonElement message, CancellationToken cancellationToken)
    {
        try
        {
            var request = LiveRequests.Parse(id, message);
            await SubscribeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskValidationException ex)
        {
            Send(LiveMessages.Error(id, "validation", ex.Message, ex.Field));
        }
        catch (ApiProblemException ex)
        {
            Send(LiveMessages.Error(id, ex.Code, ex.Message, ex.Field));
        }
    }

    /// <summary>Starts a parsed subscription after checking the caller's rights on its namespace.</summary>
    public async Task SubscribeAsync(LiveRequest request, CancellationToken cancellationToken)
    {
        // A namespace outside the caller's limits answers as if it did not exist (the REST routes' rule).
        if (!Caller.CanUseNamespace(request.Namespace))
        {
            Send(LiveMessages.Error(request.Id, "namespace-not-found", $"Namespace '{request.Namespace}' does not exist.", "namespace"));
            return;
        }
        await _subscribing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_subscriptions.ContainsKey(request.Id))
            {
                Send(LiveMessages.Error(request.Id, "subscription-exists", $"sub: '{request.Id}' is already subscribed on this connection; unsubscribe first.", "sub"));
                return;
            }
            if (_subscriptions.Count >= _options.MaxSubscriptions)
            {
                Send(LiveMessages.Error(request.Id, "too-many-subscriptions", $"A connection holds at most {_options.MaxSubscriptions} subscriptions."));
                return;
            }
            var after = request.After is { } given
                ? await _live.ResolveAsync(request.Namespace, given, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await _live.HeadAsync(request.Namespace, cancellationToken).ConfigureAwait(false);
            // "subscribed" goes first: the changes after the cursor follow it in the same buffer.
            Send(LiveMessages.Subscribed(request.Id, request.Namespace, after));
            try
            {
                _subscriptions[request.Id] = await _live.SubscribeAsync(request with { After = after }, this, cancellationToken).ConfigureAwait(false);
            }
            catch (LogCompactedException ex)
            {
                Send(LiveMessages.Resync(request.Id, request.Namespace, ex, await _live.HeadAsync(request.Namespace, cancellationToken).ConfigureAwait(false)));
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    private async Task UnsubscribeAsync(string id)
    {
        IAsyncDisposable? sub;
        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_subscriptions.Remove(id, out sub)) await sub.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _subscribing.Release();
        }
        Send(sub is null ? LiveMessages.Error(id, "subscription-not-found", $"sub: no subscription '{id}' on this connection.", "sub") : LiveMessages.Unsubscribed(id));
    }

    public int Subscriptions
    {
        get
        {
            _subscribing.Wait();
            try
            {
                return _subscriptions.Count;
            }
            finally
            {
                _subscribing.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var sub in _subscriptions.Values) await sub.DisposeAsync().ConfigureAwait(false);
            _subscriptions.Clear();
        }
        finally
        {
            _subscribing.Release();
        }
        _registry.Remove(this);
        _out.Writer.TryComplete();
        _cut.Dispose();
    }
}
