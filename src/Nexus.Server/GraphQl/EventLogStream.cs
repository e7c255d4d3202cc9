using Nexus.Live;
using Nexus.Server.Api;
using Nexus.Contracts;

namespace Nexus.Server.GraphQl;

/// <summary>A subscription's feed, on the live layer (docs/realtime.md): one <c>events:{pattern}</c> channel with its
/// filter, after a cursor (the resolver takes "now" as the log's head). The node's one reader of the namespace's log fans each event out to every
/// subscriber (no query per subscription), in log order, without a gap or a duplicate after a late commit. A cursor
/// below the retention horizon ends the subscription with <c>resync-needed</c>. Disposing it stops the feed.</summary>
internal sealed class EventLogStream(INexusLive live, string ns, Nexus.Events.LogCursor after, LiveChannel channel, ILogger logger)
    : IObservable<EventResponse>
{
    public IDisposable Subscribe(IObserver<EventResponse> observer)
    {
        var feed = new Feed(observer);
        _ = Task.Run(async () =>
        {
            try
            {
                var subscription = await live.SubscribeAsync(new LiveRequest("graphql", ns, [channel], after), feed, feed.Stopping).ConfigureAwait(false);
                if (!feed.Attach(subscription)) await subscription.DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (feed.Stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "A GraphQL event subscription on namespace {Namespace} could not start.", ns);
                observer.OnError(ex);
            }
        }, CancellationToken.None);
        return feed;
    }

    /// <summary>Takes the hub's deliveries (never blocking it: the connection's outbox is bounded and cuts a slow
    /// client off) and ends the live subscription when GraphQL disposes the stream.</summary>
    private sealed class Feed(IObserver<EventResponse> observer) : ILiveSink, IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private IAsyncDisposable? _subscription;
        private bool _disposed;

        public CancellationToken Stopping => _stop.Token;

        public bool TryWrite(LiveDelivery delivery)
        {
            if (_disposed) return false;
            observer.OnNext(EventMapping.Response(delivery.Change.Event));
            return true;
        }

        /// <summary>False when the stream was disposed meanwhile: the caller ends the subscription itself.</summary>
        public bool Attach(IAsyncDisposable subscription)
        {
            lock (_lock)
            {
                if (_disposed) return false;
                _subscription = subscription;
                return true;
            }
        }

        public void Dispose()
        {
            IAsyncDisposable? subscription;
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
                subscription = _subscription;
            }
            _stop.Cancel();
            if (subscription is not null) _ = subscription.DisposeAsync().AsTask();
        }
    }
}
