using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Renews the leases of every running attempt in one round trip per interval; stops attempts whose
/// lease was lost or whose cancellation was requested.</summary>
internal sealed class Heartbeater(INexusStore store, NexusOptions options, Executor executor, StoreClock clock, ILogger logger)
    : BackgroundLoop(clock.Time, logger)
{
    protected override string What => "lease heartbeats";

    protected override TimeSpan Interval => options.HeartbeatInterval;

    protected override Task RunOnceAsync(CancellationToken stop) => BeatAsync(stop);

    public async Task BeatAsync(CancellationToken stop)
    {
        var leases = executor.Running.Leases();
        if (leases.Count == 0) return;
        var sent = leases.ToDictionary(l => l.Id, l => l.LeaseToken);
        try
        {
            var statuses = await store.Tasks.HeartbeatAsync(new HeartbeatParams(leases, options.LeaseDuration) { Now = clock.Now }, stop).ConfigureAwait(false);
            foreach (var status in statuses)
            {
                // The attempt must still be the one whose lease was sent: a newer attempt of the same task may have
                // replaced it meanwhile, and the old lease's fate says nothing about the new one.
                if (!executor.Running.TryGet(status.Id, out var task) || task.Record.LeaseToken != sent[status.Id]) continue;
                if (!status.Held && task.Finished)
                {
                    // Its outcome is being written: the row the heartbeat missed is most likely the one that write just
                    // finished. If the lease really was lost, the completer reports the rejected outcome.
                    continue;
                }
                if (!status.Held)
                {
                    Logger.LogWarning("Lost the lease of task {TaskId}; stopping the attempt (its outcome would be rejected).", status.Id);
                    await task.LeaseLost.CancelAsync();
                }
                else if (status.CancelRequested)
                {
                    await task.Cancel.CancelAsync();
                }
            }
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            Logger.LogError(ex, "Heartbeat for {Count} leases failed; will retry next interval.", leases.Count);
        }
        catch (ObjectDisposedException)
        {
            // The attempt finished between the read and the cancel.
        }
    }
}
