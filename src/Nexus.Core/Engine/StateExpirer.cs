using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, every <see cref="NexusOptions.StateExpiryInterval"/>, turns
/// expired state keys into tombstones (an <c>expire</c> version in their history), a thousand at a time until none is
/// left. Expired keys read as absent before the sweep; it makes their expiry a recorded change.</summary>
internal sealed class StateExpirer(INexusStore store, State.ChangeLog log, NexusOptions options, StoreClock clock, ILogger logger, LeaderElector leader)
    : BackgroundLoop(clock.Time, logger, leader)
{
    private const int Batch = 1000;

    protected override string What => "expiry of state keys";

    protected override TimeSpan Interval => options.StateExpiryInterval;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        int swept;
        do
        {
            // The expiries and their log entries commit together.
            var expired = await store.InTransactionAsync(async (tx, ct) =>
            {
                var list = await tx.State.ExpireAsync(new ExpireStateParams(Batch) { Now = clock.Now, HistoryLimit = options.StateHistoryLimit }, ct).ConfigureAwait(false);
                foreach (var group in list.GroupBy(e => e.Namespace, StringComparer.Ordinal))
                {
                    await log.AppendAsync(tx, group.Key, [.. group.Select(e => State.ChangeLog.StateDeleted(e.Key, e.Version, expired: true))], ct).ConfigureAwait(false);
                }
                return list;
            }, stop).ConfigureAwait(false);
            foreach (var ns in expired.Select(e => e.Namespace).Distinct(StringComparer.Ordinal)) log.Committed(ns);
            swept = expired.Count;
        }
        while (swept == Batch && !stop.IsCancellationRequested);
    }
}
