using Microsoft.Extensions.Logging;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Maintenance loop, on the elected node only: every <see cref="Every"/> asks the store to tidy its tasks table
/// (<see cref="ITaskStore.TidyAsync"/>; on PostgreSQL a <c>VACUUM</c> once enough dead row versions piled up, which keeps
/// claims from walking past the entries of every task claimed since the last one).</summary>
internal sealed class TaskTableTidier(INexusStore store, StoreClock clock, ILogger logger, LeaderElector leader)
    : BackgroundLoop(clock.Time, logger, leader)
{
    /// <summary>How often the store is asked (a look at one statistics row when there is nothing to do).</summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    protected override string What => "tidying of the tasks table";

    protected override TimeSpan Interval => Every;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        if (await store.Tasks.TidyAsync(stop).ConfigureAwait(false)) Logger.LogDebug("Tidied the {Driver} tasks table.", store.Driver);
    }
}
