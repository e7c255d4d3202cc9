using Nexus.Events;
using Nexus.Filters;
using Nexus.Server.Api;
using Nexus.Server.Api.Contracts;

namespace Nexus.Server.GraphQl;

/// <summary>A subscription's feed: reads one namespace's log by cursor (the same read as REST's and the consumers',
/// which never skips a late commit), keeps the events whose topic matches and whose payload passes the filter, and
/// pushes them in log order. When a read finds nothing new it waits <paramref name="idle"/> before the next one.
/// Disposing the subscription stops the reader.</summary>
internal sealed class EventLogStream(INexusEvents events, TimeProvider time, TimeSpan idle, string ns, LogCursor after, TopicPattern? topics, JsonFilter? filter, ILogger logger)
    : IObservable<EventResponse>
{
    public const int PageSize = 200;

    public IDisposable Subscribe(IObserver<EventResponse> observer)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(() => RunAsync(observer, stop.Token), CancellationToken.None);
        return new Stopper(stop);
    }

    private async Task RunAsync(IObserver<EventResponse> observer, CancellationToken stop)
    {
        var cursor = after;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var page = await events.ReadAsync(ns, cursor, PageSize, stop).ConfigureAwait(false);
                foreach (var e in page.Events)
                {
                    if (topics is not null && !topics.Matches(e.Topic)) continue;
                    if (filter is not null && !filter.Matches(e.PayloadJson)) continue;
                    observer.OnNext(EventMapping.Response(e));
                }
                cursor = page.Next;
                if (page.Events.Count < PageSize) await Task.Delay(idle, time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "A GraphQL event subscription on namespace {Namespace} failed.", ns);
            observer.OnError(ex);
        }
    }

    private sealed class Stopper(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            stop.Dispose();
        }
    }
}
