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
    /// <summary>Tasks: insert, claim, complete, heartbeat, rescue, inspect.</summary>
    ITaskStore Tasks { get; }
    /// <summary>The event log: namespaces, events, subscriptions and their dead letters.</summary>
    IEventStore Events { get; }
    /// <summary>Queue settings: pause, concurrency, backlog.</summary>
    IQueueStore Queues { get; }
    /// <summary>Leader election for maintenance work that must run on one node.</summary>
    ILeaderStore Leader { get; }
    /// <summary>Wake-ups when tasks are inserted, or null when the driver cannot push them (polling only).</summary>
    ITaskNotifications? Notifications { get; }
    /// <summary>API keys of the HTTP server.</summary>
    IApiKeyStore ApiKeys { get; }
    /// <summary>The nodes that work on tasks (engines and external workers).</summary>
    INodeStore Nodes { get; }
    /// <summary>Plugins declared by external workers.</summary>
    IExternalPluginStore ExternalPlugins { get; }
    /// <summary>Workflow definitions, runs and steps.</summary>
    IWorkflowStore Workflows { get; }
    /// <summary>The versioned state store (keys, versions, compare-and-set, history, TTL).</summary>
    IStateStore State { get; }
    /// <summary>Schedules and their history of fires (one row per schedule and slot).</summary>
    IScheduleStore Schedules { get; }
    /// <summary>The service registry's instances.</summary>
    IServiceStore Services { get; }
    /// <summary>Hooks that run inside the transaction of every change of an owned task (see <see cref="IOwnedTaskHook"/>).</summary>
    StoreHooks Hooks { get; }
    /// <summary>Runs <paramref name="work"/> in one store transaction (a unit of work) and commits it when the work
    /// returns; an exception rolls every write of the work back and is rethrown. On SQLite the work runs inside the
    /// single writer (its own savepoint of the writer's batch), so it must be short and must call only the stores of
    /// the transaction it is given, never this store's (that would wait on itself and is refused).</summary>
    Task<T> InTransactionAsync<T>(Func<IStoreTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default);
    /// <summary>Applies pending migrations under a lock. Throws <see cref="StoreException"/> when the database is
    /// unreachable or its schema is newer than this code knows.</summary>
    Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default);
    /// <summary>Checks that the database answers and the schema is current.</summary>
    Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default);
}

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
