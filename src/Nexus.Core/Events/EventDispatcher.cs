using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nexus.Hosting;

namespace Nexus.Events;

/// <summary>
/// Turns the log into deliveries: wakes on an emit on this node, on PostgreSQL on any node's NOTIFY, and otherwise every
/// <see cref="EventOptions.DispatchInterval"/>; then dispatches until no subscription has a full batch left. Any number
/// of nodes may run it: the store hands each subscription to one dispatcher at a time, and a subscription's delivery
/// tasks commit with its cursor.
/// While no namespace has a subscription (looked up again after a change on this node, and at most once per
/// <see cref="EventOptions.DispatchInterval"/> while none exists), the wakes of appends run no pass — a log that only state writes fill would otherwise cost one empty dispatch
/// transaction per commit. A subscription made or moved on this node ends that at once; one made on another node is
/// served by that node's dispatcher at once and by this one from its next look.
/// A pass that reports events held back by the read horizon (<see cref="Storage.DispatchResult.HeldBack"/>) is followed by
/// another within milliseconds, backing off to <see cref="HeldBackDelay.Max"/>: the end of the older transaction that holds
/// them is announced by nobody.
/// </summary>
internal sealed class EventDispatcher(EventService events, NexusOptions options, ILogger logger)
{
    public int Rounds => Volatile.Read(ref _rounds);

    private int _rounds;

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var quiet = false;
            var changes = -1;
            var looked = 0L;
            var held = TimeSpan.Zero;
            while (!stop.IsCancellationRequested)
            {
                var again = false;
                var heldBack = false;
                try
                {
                    var now = Stopwatch.GetTimestamp();
                    // Looked up again after a change on this node, and while quiet once per interval (for subscriptions
                    // made on other nodes); while some exist, passes run as they come (as before any lookup).
                    if (changes != events.SubscriptionChanges || (quiet && Stopwatch.GetElapsedTime(looked, now) >= options.Events.DispatchInterval))
                    {
                        changes = events.SubscriptionChanges;
                        quiet = !await events.AnySubscriptionAsync(stop).ConfigureAwait(false);
                        looked = now;
                    }
                    if (!quiet || events.DeadPending)
                    {
                        var result = await events.DispatchAsync(stop).ConfigureAwait(false);
                        again = result.Full;
                        heldBack = result.HeldBack;
                    }
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    logger.LogError(ex, "Event dispatch failed; will retry.");
                }
                Interlocked.Increment(ref _rounds);
                // Events held back by an older open transaction: look again soon (1 ms, doubling to HeldBackDelay.Max while
                // it stays open), or at the next wake, whichever comes first.
                held = HeldBackDelay.Next(held, heldBack);
                var wait = HeldBackDelay.Wait(held, heldBack, options.Events.DispatchInterval);
                if (!again) await events.DispatchWake.WaitAsync(wait, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
