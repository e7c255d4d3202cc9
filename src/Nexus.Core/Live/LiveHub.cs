using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Events;
using Nexus.Storage;

namespace Nexus.Live;

/// <summary><see cref="INexusLive"/>: one <see cref="LogFollower"/> per namespace with subscribers on this node (never
/// one database query per connection once caught up), woken by every append committed here and by the NOTIFY of
/// other nodes (PostgreSQL), polling otherwise.</summary>
internal sealed class LiveHub : INexusLive, IAsyncDisposable
{
    /// <summary>Most channels in one subscription.</summary>
    public const int MaxChannels = 100;
    private readonly INexusStore _store;
    private readonly EventService _events;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LogFollower> _followers = new(StringComparer.Ordinal);

    public LiveHub(INexusStore store, EventService events, IOptions<Hosting.NexusOptions> options, ILogger<LiveHub>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        PollInterval = options.Value.Events.LiveInterval;
        _events = events;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        events.LogWritten += WakeAll;
    }

    /// <summary>How often a reader looks without a wake-up (<see cref="EventOptions.LiveInterval"/>).</summary>
    public TimeSpan PollInterval { get; set; }

    public async Task<LogCursor> HeadAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        // After retention emptied a namespace its newest entry is gone, but nothing below the horizon can come again.
        var head = await _store.Events.CursorAtAsync(Names.Namespace(@namespace), SubscriptionStart.New, cancellationToken).ConfigureAwait(false);
        var horizon = await _store.Events.HorizonAsync(@namespace, cancellationToken).ConfigureAwait(false);
        return head > horizon ? head : horizon;
    }

    public Task<LogCursor> ResolveAsync(string @namespace, LogCursor after, string field = "after", CancellationToken cancellationToken = default) =>
        LogPositions.ResolveAsync(_store.Events, Names.Namespace(@namespace), after, field, cancellationToken);

    public async Task<IAsyncDisposable> SubscribeAsync(LiveRequest request, ILiveSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        Names.Namespace(request.Namespace);
        if (request.Channels is not { Count: > 0 }) throw new TaskValidationException("channels", "name at least one channel");
        if (request.Channels.Count > MaxChannels) throw new TaskValidationException("channels", $"has at most {MaxChannels} channels");
        // A bare position (an emit's answer) is resumed from as well as a cursor.
        var after = request.After is { } given
            ? await LogPositions.ResolveAsync(_store.Events, request.Namespace, given, "after", cancellationToken).ConfigureAwait(false)
            : await HeadAsync(request.Namespace, cancellationToken).ConfigureAwait(false);
        var horizon = await _store.Events.HorizonAsync(request.Namespace, cancellationToken).ConfigureAwait(false);
        if (after < horizon) throw new LogCompactedException(request.Namespace, after, horizon);
        var follower = Acquire(request.Namespace);
        var feed = new LiveFeed(request, sink, after);
        try
        {
            await follower.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            await follower.JoinAsync(feed, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(follower, feed).ConfigureAwait(false);
            throw;
        }
        return new Subscription(this, follower, feed);
    }

    private LogFollower Acquire(string @namespace)
    {
        lock (_gate)
        {
            if (!_followers.TryGetValue(@namespace, out var follower))
            {
                follower = new LogFollower(_store, @namespace, PollInterval, _logger);
                _followers[@namespace] = follower;
                follower.Start();
            }
            follower.Users++;
            return follower;
        }
    }

    private async Task ReleaseAsync(LogFollower follower, LiveFeed feed)
    {
        follower.Leave(feed);
        var last = false;
        lock (_gate)
        {
            if (--follower.Users == 0 && _followers.TryGetValue(follower.Namespace, out var current) && current == follower)
            {
                _followers.Remove(follower.Namespace);
                last = true;
            }
        }
        if (last) await follower.DisposeAsync().ConfigureAwait(false);
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            foreach (var follower in _followers.Values) follower.Wake();
        }
    }

    /// <summary>Readers running now (for tests and metrics).</summary>
    public int Followers
    {
        get
        {
            lock (_gate) return _followers.Count;
        }
    }

    /// <summary>Reads of <paramref name="namespace"/>'s reader that found changes held back by the read horizon (for tests).</summary>
    internal long HeldBackReads(string @namespace)
    {
        lock (_gate) return _followers.TryGetValue(@namespace, out var follower) ? follower.HeldBackReads : 0;
    }

    public async ValueTask DisposeAsync()
    {
        _events.LogWritten -= WakeAll;
        LogFollower[] all;
        lock (_gate)
        {
            all = [.. _followers.Values];
            _followers.Clear();
        }
        foreach (var follower in all) await follower.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Subscription(LiveHub hub, LogFollower follower, LiveFeed feed) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) await hub.ReleaseAsync(follower, feed).ConfigureAwait(false);
        }
    }
}
