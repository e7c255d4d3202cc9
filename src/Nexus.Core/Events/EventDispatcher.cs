using Microsoft.Extensions.Logging;
using Nexus.Hosting;

namespace Nexus.Events;

/// <summary>
/// Turns the log into deliveries: wakes on an emit on this node, on PostgreSQL on any node's NOTIFY, and otherwise every
/// <see cref="EventOptions.DispatchInterval"/>; then dispatches until no subscription has a full batch left. Any number
/// of nodes may run it: the store hands each subscription to one dispatcher at a time, and a subscription's delivery
/// tasks commit with its cursor.
/// </summary>
internal sealed class EventDispatcher(EventService events, NexusOptions options, ILogger logger)
{
    public int Rounds => Volatile.Read(ref _rounds);

    private int _rounds;

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var again = false;
                try
                {
                    var result = await events.DispatchAsync(stop).ConfigureAwait(false);
                    again = result.Full;
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    logger.LogError(ex, "Event dispatch failed; will retry.");
                }
                Interlocked.Increment(ref _rounds);
                if (!again) await events.DispatchWake.WaitAsync(options.Events.DispatchInterval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
