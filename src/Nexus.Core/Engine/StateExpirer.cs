using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, every <see cref="NexusOptions.StateExpiryInterval"/>, turns
/// expired state keys into tombstones (an <c>expire</c> version in their history), a thousand at a time until none is
/// left. Expired keys read as absent before the sweep; it makes their expiry a recorded change.</summary>
internal sealed class StateExpirer(IStateStore state, NexusOptions options, StoreClock clock, ILogger logger, LeaderElector leader)
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
            swept = (await state.ExpireAsync(new ExpireStateParams(Batch) { Now = clock.Now, HistoryLimit = options.StateHistoryLimit }, stop).ConfigureAwait(false)).Count;
        }
        while (swept == Batch && !stop.IsCancellationRequested);
    }
}
