using Microsoft.Extensions.Logging;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Events;

/// <summary>Maintenance loop, on the elected node only: retention of the event log (PostgreSQL: whole partitions
/// dropped, partitions made ahead; SQLite: deletes in batches), every <see cref="EventOptions.MaintenanceInterval"/>
/// and once at start.</summary>
internal sealed class EventLogMaintenance(INexusStore store, NexusOptions options, StoreClock clock, ILogger logger, LeaderElector leader)
    : BackgroundLoop(clock.Time, logger, leader)
{
    protected override string What => "event log retention";

    protected override TimeSpan Interval => options.Events.MaintenanceInterval;

    protected override bool TickAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken stop)
    {
        var removed = await store.Events.MaintainAsync(
            new LogMaintenanceParams(options.Events.Retention, options.Events.PartitionsAhead) { Now = clock.Now }, stop).ConfigureAwait(false);
        if (removed > 0) Logger.LogInformation("Event log retention removed {Count} ({Driver}: {Unit}).", removed, store.Driver, store.Driver == "postgres" ? "partitions" : "events");
    }
}
