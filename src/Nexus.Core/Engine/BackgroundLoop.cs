using Microsoft.Extensions.Logging;

namespace Nexus.Engine;

/// <summary>
/// The one skeleton of every background loop (heartbeats, rescue, retention, node pruning, the node beacon, and the
/// coming scheduler, planner and log retention): a tick every <see cref="Interval"/> on the injected
/// <see cref="TimeProvider"/> (a fake clock drives it in tests), optionally a first tick at start, optionally only on
/// the elected maintenance leader, and a failure of one tick logged and survived. <see cref="RunAsync"/> ends when
/// its token is cancelled.
/// </summary>
internal abstract class BackgroundLoop(TimeProvider time, ILogger logger, LeaderElector? leader = null)
{
    /// <summary>The logger the loop was given.</summary>
    protected ILogger Logger { get; } = logger;

    /// <summary>What the loop does, for its log lines ("rescue of expired leases").</summary>
    protected abstract string What { get; }

    /// <summary>Time between ticks.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether the first tick runs at once rather than after one interval. Default false.</summary>
    protected virtual bool TickAtStart => false;

    /// <summary>Ticks run so far (whether or not this node led); for tests.</summary>
    public int Ticks => Volatile.Read(ref _ticks);

    private int _ticks;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            if (TickAtStart) await TickAsync(stop).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await TickAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One tick now: skipped when the loop is leader-only and this node does not lead.</summary>
    public async Task TickAsync(CancellationToken stop)
    {
        try
        {
            if (leader is null || await leader.LeadsAsync(stop).ConfigureAwait(false))
            {
                await RunOnceAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: the tick was cut short, which is no failure.
        }
        catch (Exception ex)
        {
            // A tick that fails while the loop is being stopped is logged like any other: it must not fail the stop.
            Logger.LogError(ex, "Background loop ({What}) failed; will retry next interval.", What);
        }
        finally
        {
            Interlocked.Increment(ref _ticks);
        }
    }

    /// <summary>The loop's work for one tick.</summary>
    protected abstract Task RunOnceAsync(CancellationToken stop);
}
