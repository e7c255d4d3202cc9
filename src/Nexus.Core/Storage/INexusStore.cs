namespace Nexus.Storage;

/// <summary>
/// The storage seam: one store made of narrow domain interfaces. Drivers implement it;
/// the engine and the API use nothing else. Every method takes a params record; every
/// time decision uses the store's clock unless the params carry an explicit <c>Now</c> (tests).
/// </summary>
public interface INexusStore : IAsyncDisposable
{
    /// <summary>The driver's name, e.g. <c>sqlite</c> or <c>postgres</c>.</summary>
    string Driver { get; }
    /// <summary>What the driver can do beyond the common contract.</summary>
    StoreCapabilities Capabilities { get; }
    /// <summary>Tasks: insert, claim, complete, heartbeat, rescue, inspect.</summary>
    ITaskStore Tasks { get; }
    /// <summary>Queue settings: pause, concurrency, backlog.</summary>
    IQueueStore Queues { get; }
    /// <summary>Leader election for maintenance work that must run on one node.</summary>
    ILeaderStore Leader { get; }
    /// <summary>Wake-ups when tasks are inserted, or null when the driver cannot push them (polling only).</summary>
    ITaskNotifications? Notifications { get; }
    /// <summary>API keys of the HTTP server, or null when the driver cannot store them (the server then accepts
    /// only JWT bearer tokens and its configured bootstrap key). Both built-in drivers store them.</summary>
    IApiKeyStore? ApiKeys => null;
    /// <summary>The nodes that work on tasks (engines and external workers), or null when the driver cannot store
    /// them (the engine then does not register itself). Both built-in drivers store them.</summary>
    INodeStore? Nodes => null;
    /// <summary>Plugins declared by external workers, or null when the driver cannot store them (then only local
    /// plugins can be submitted). Both built-in drivers store them.</summary>
    IExternalPluginStore? ExternalPlugins => null;
    /// <summary>Applies pending migrations under a lock. Throws <see cref="StoreException"/> when the database is
    /// unreachable or its schema is newer than this code knows.</summary>
    Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default);
    /// <summary>Checks that the database answers and the schema is current.</summary>
    Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default);
}

/// <summary>Optional abilities of a driver.</summary>
/// <param name="SupportsListenNotify">Insert wake-ups are pushed to other processes.</param>
/// <param name="SupportsTransactionalEnqueue">Tasks can be inserted inside the caller's own database transaction.</param>
public sealed record StoreCapabilities(bool SupportsListenNotify, bool SupportsTransactionalEnqueue);

/// <summary>What a migration run did.</summary>
/// <param name="FromVersion">Schema version before.</param>
/// <param name="ToVersion">Schema version after.</param>
/// <param name="Applied">Versions applied in this run.</param>
public sealed record MigrationResult(int FromVersion, int ToVersion, IReadOnlyList<int> Applied);

/// <summary>Store health for readiness checks.</summary>
/// <param name="Reachable">The database answered.</param>
/// <param name="SchemaVersion">The applied schema version (0 when none).</param>
/// <param name="ExpectedVersion">The version this code needs.</param>
/// <param name="Error">Why it is not ready, if it is not.</param>
public sealed record StoreHealth(bool Reachable, int SchemaVersion, int ExpectedVersion, string? Error)
{
    /// <summary>True when reachable and migrated.</summary>
    public bool Ready => Reachable && SchemaVersion == ExpectedVersion;
}
