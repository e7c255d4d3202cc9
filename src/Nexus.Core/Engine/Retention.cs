using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Maintenance loop: on the elected node only, deletes finished tasks older than their retention, in
/// batches of <see cref="BatchSize"/> (oldest first, one short transaction each), so history never slows the claim
/// path down and no long transaction holds locks.</summary>
internal sealed class Retention(INexusStore store, NexusOptions options, StoreClock clock, ILogger logger, LeaderElector leader)
    : BackgroundLoop(clock.Time, logger, leader)
{
    public const int BatchSize = 1000;

    protected override string What => "retention of finished tasks";

    protected override TimeSpan Interval => options.RetentionInterval;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        var total = 0;
        var now = clock.Time.GetUtcNow();
        foreach (var (state, keep) in new[] { (TaskState.Succeeded, options.RetainSucceeded), (TaskState.Cancelled, options.RetainCancelled), (TaskState.Dead, options.RetainDead) })
        {
            if (keep is not { } k) continue;
            // Tasks a workflow run owns are deleted with their run, never while it still runs (deliveries' key links own nothing).
            var expired = new ExpiredTasksParams(state, now - k, BatchSize);
            int deleted;
            do
            {
                deleted = await store.Tasks.DeleteExpiredAsync(expired, stop).ConfigureAwait(false);
                total += deleted;
            }
            while (deleted == BatchSize && !stop.IsCancellationRequested);
        }
        if (total > 0) Logger.LogInformation("Retention deleted {Count} finished tasks past their retention.", total);
    }
}
