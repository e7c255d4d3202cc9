using Microsoft.Extensions.Logging;
using Nexus.Engine;
using Nexus.Events;
using Nexus.Storage;

namespace Nexus.Live;

/// <summary>
/// The one reader of a namespace's log on this node while anyone subscribes to it: it reads after its cursor when
/// woken (a commit here, a NOTIFY from another node) or every poll interval, parses each change once and offers it to
/// every caught-up feed. It keeps the last <see cref="WindowSize"/> changes so that a feed finishing its own catch-up
/// read joins without a gap (see <see cref="JoinAsync"/>). A short page that leaves committed changes behind the read
/// horizon (<see cref="EventPage.HeldBack"/>: an older transaction is still open, and its end announces nothing) is
/// followed by another read within milliseconds, backing off (<see cref="HeldBackDelay"/>).
/// </summary>
internal sealed class LogFollower(INexusStore store, string @namespace, TimeSpan pollInterval, ILogger logger) : IAsyncDisposable
{
    public string Namespace => @namespace;

    private const int Page = 1000;
    private const int WindowSize = 4096;
    private readonly Lock _gate = new();
    private readonly Queue<LiveChange> _window = new();
    private readonly List<LiveFeed> _live = [];
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private LogCursor _cursor;
    private LogCursor _windowStart;
    private long _windowVersion;
    private long _heldBackReads;
    private Task? _loop;

    public int Users { get; set; }

    /// <summary>Reads that found committed changes behind the read horizon (for tests).</summary>
    public long HeldBackReads => Interlocked.Read(ref _heldBackReads);

    public Task Ready { get; private set; } = Task.CompletedTask;

    public void Start() => Ready = StartAsync();

    private async Task StartAsync()
    {
        _cursor = _windowStart = await store.Events.CursorAtAsync(@namespace, SubscriptionStart.New, _stop.Token).ConfigureAwait(false);
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    public void Wake() => _wake.Set();

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        var held = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            var full = false;
            var heldBack = false;
            try
            {
                var page = await store.Events.ReadAsync(new ReadEventsParams(@namespace, _cursor, Page) { ReportHeldBack = true }, stop).ConfigureAwait(false);
                var changes = page.Events.Select(LiveChange.From).ToList();
                lock (_gate)
                {
                    foreach (var change in changes)
                    {
                        _window.Enqueue(change);
                        if (_window.Count > WindowSize)
                        {
                            _windowStart = _window.Dequeue().Cursor;
                            _windowVersion++;
                        }
                        foreach (var feed in _live) feed.Offer(change);
                    }
                    _live.RemoveAll(f => f.Ended);
                    _cursor = page.Next;
                }
                full = page.Events.Count == Page;
                heldBack = page.HeldBack;
                if (heldBack) Interlocked.Increment(ref _heldBackReads);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Reading the log of namespace {Namespace} for live subscribers failed; retrying.", @namespace);
            }
            if (full) continue;
            held = HeldBackDelay.Next(held, heldBack);
            try
            {
                await _wake.WaitAsync(HeldBackDelay.Wait(held, heldBack, pollInterval), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Brings a feed from its cursor to the live stream: it reads the log itself until a short page, then,
    /// under the reader's lock, takes what the window holds after its cursor and joins. The join is exact when the
    /// window reaches back to the feed's cursor, or when the window's start was fixed before the feed's last read
    /// began (everything at or before it was visible to that read, whose page was short).</summary>
    public async Task JoinAsync(LiveFeed feed, CancellationToken cancellationToken)
    {
        while (true)
        {
            long version;
            lock (_gate) version = _windowVersion;
            var from = feed.Cursor;
            var page = await store.Events.ReadAsync(new ReadEventsParams(@namespace, from, Page), cancellationToken).ConfigureAwait(false);
            var horizon = await store.Events.HorizonAsync(@namespace, cancellationToken).ConfigureAwait(false);
            if (from < horizon) throw new LogCompactedException(@namespace, from, horizon);
            foreach (var e in page.Events)
            {
                if (!feed.Offer(LiveChange.From(e))) return;
            }
            if (page.Events.Count == Page) continue;
            lock (_gate)
            {
                if (_windowVersion != version && feed.Cursor < _windowStart) continue;
                foreach (var change in _window)
                {
                    if (!feed.Offer(change)) return;
                }
                _live.Add(feed);
                return;
            }
        }
    }

    public void Leave(LiveFeed feed)
    {
        lock (_gate) _live.Remove(feed);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Ready.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_loop is not null) await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _wake.Dispose();
    }
}
