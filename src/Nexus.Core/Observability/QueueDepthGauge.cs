using System.Diagnostics.Metrics;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Observability;

/// <summary>Feeds <c>queue_tasks{queue,state}</c> from <see cref="ITaskStore.CountAsync"/>. Observing never waits on
/// the store: it returns the last counts and, when they are older than the interval, starts one refresh in the
/// background, so a scrape costs at most one count query per interval however often it comes.</summary>
internal sealed class QueueDepthGauge(INexusStore store, TimeProvider time, TimeSpan interval)
{
    private IReadOnlyList<Measurement<long>> _last = [];
    private long _readAt = long.MinValue;
    private int _refreshing;

    public IEnumerable<Measurement<long>> Observe()
    {
        var now = time.GetTimestamp();
        if ((Volatile.Read(ref _readAt) == long.MinValue || time.GetElapsedTime(Volatile.Read(ref _readAt), now) >= interval)
            && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = Task.Run(RefreshAsync);
        }
        return Volatile.Read(ref _last);
    }

    private async Task RefreshAsync()
    {
        try
        {
            var counts = await store.Tasks.CountAsync().ConfigureAwait(false);
            var measurements = new List<Measurement<long>>();
            foreach (var queue in counts)
            {
                foreach (var state in TaskStates.All)
                {
                    queue.Counts.TryGetValue(state, out var n);
                    measurements.Add(new Measurement<long>(n,
                        new KeyValuePair<string, object?>("queue", queue.Queue),
                        new KeyValuePair<string, object?>("state", state.ToName())));
                }
            }
            Volatile.Write(ref _last, measurements);
            Volatile.Write(ref _readAt, time.GetTimestamp());
        }
        catch (Exception)
        {
            // The store is unreachable: keep the last counts and try again at the next scrape.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
