using Npgsql;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>
/// The PostgreSQL store: every Nexus table in one schema of one database, shared by any number of nodes.
/// Claims use <c>FOR UPDATE SKIP LOCKED</c> over a partial index of ready rows, inserts raise one NOTIFY per call,
/// and tasks can be inserted inside the caller's own transaction (<see cref="InsertAsync"/>).
/// </summary>
/// <example><code>
/// await using var store = PostgresStore.Create("Host=db;Database=app;Username=nexus;Password=…");
/// await store.MigrateAsync();
/// </code></example>
public sealed class PostgresStore : INexusStore
{
    private readonly PostgresDatabase db;
    private readonly PostgresTaskStore tasks;
    private readonly PostgresEventStore events;
    private readonly PostgresMigrator migrator;
    private readonly bool ownsDataSource;
    private int disposed;

    /// <summary>Creates a store over a data source. The store uses but does not dispose <paramref name="dataSource"/>
    /// unless <paramref name="ownsDataSource"/> is true.</summary>
    /// <param name="dataSource">Where to connect. Automatic preparation (<c>Max Auto Prepare</c>) helps the hot paths, and
    /// turning JIT off (<c>Options=-c jit=off</c>) avoids compile pauses on them; <see cref="Create"/> does both.</param>
    /// <param name="options">Settings, or null for the defaults.</param>
    /// <param name="ownsDataSource">Dispose the data source with the store. Default false.</param>
    /// <exception cref="ArgumentException">A setting is out of range, for example an invalid schema name.</exception>
    public PostgresStore(NpgsqlDataSource dataSource, PostgresStoreOptions? options = null, bool ownsDataSource = false)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        options ??= new PostgresStoreOptions();
        options.Validate();
        db = new PostgresDatabase(dataSource, new PostgresSchema(options.Schema), options);
        tasks = new PostgresTaskStore(db);
        migrator = new PostgresMigrator(db);
        events = new PostgresEventStore(db, tasks.Inserter);
        Queues = new PostgresQueueStore(db);
        Leader = new PostgresLeaderStore(db);
        Notifications = options.Listen ? new PostgresNotifications(db) : null;
        ApiKeys = new PostgresApiKeyStore(db);
        Nodes = new PostgresNodeStore(db);
        ExternalPlugins = new PostgresExternalPluginStore(db);
        Workflows = new PostgresWorkflowStore(db);
        State = new PostgresStateStore(db, () => events);
        Schedules = new PostgresScheduleStore(db);
        Services = new PostgresServiceStore(db);
        this.ownsDataSource = ownsDataSource;
    }

    /// <summary>Creates a store that owns a new data source for <paramref name="connectionString"/>. Unless the
    /// connection string says otherwise, statements are prepared automatically (<c>Max Auto Prepare=64</c>),
    /// PostgreSQL's JIT compilation is off for its sessions (<c>Options=-c jit=off</c>): Nexus runs short statements,
    /// for which compiling costs far more than it saves; and a connection returned to the pool is not reset
    /// (<c>No Reset On Close=true</c>): Nexus leaves no session state behind, and the reset is a string of statements
    /// (<c>CLOSE ALL</c>, <c>RESET ALL</c>, <c>UNLISTEN *</c>, …) sent before the next use of every pooled connection.
    /// Sessions idle inside a transaction longer than <see cref="PostgresStoreOptions.IdleInTransactionTimeout"/> (60 s)
    /// are ended by the server.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Changes the settings, or null for the defaults.</param>
    public static PostgresStore Create(string connectionString, Action<PostgresStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var options = new PostgresStoreOptions();
        configure?.Invoke(options);
        options.Validate();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        if (!Names(connectionString, "noresetonclose")) builder.NoResetOnClose = true;
        if (string.IsNullOrEmpty(builder.Options)) builder.Options = "-c jit=off";
        if (options.IdleInTransactionTimeout is { } idle && !builder.Options.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal))
        {
            builder.Options += $" -c idle_in_transaction_session_timeout={(long)Math.Ceiling(idle.TotalMilliseconds)}";
        }
        return new PostgresStore(NpgsqlDataSource.Create(builder), options, ownsDataSource: true);
    }

    /// <summary>Whether <paramref name="connectionString"/> sets <paramref name="keyword"/> (lower case, no spaces) itself.</summary>
    private static bool Names(string connectionString, string keyword)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), keyword, StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc/>
    public string Driver => "postgres";

    /// <inheritdoc/>
    public ITaskStore Tasks => tasks;

    /// <inheritdoc/>
    public IEventStore Events => events;

    /// <inheritdoc/>
    public IQueueStore Queues { get; }

    /// <inheritdoc/>
    public ILeaderStore Leader { get; }

    /// <inheritdoc/>
    public ITaskNotifications? Notifications { get; }

    /// <inheritdoc/>
    public IApiKeyStore ApiKeys { get; }

    /// <inheritdoc/>
    public INodeStore Nodes { get; }

    /// <inheritdoc/>
    public IExternalPluginStore ExternalPlugins { get; }

    /// <inheritdoc/>
    public IWorkflowStore Workflows { get; }
    public IStateStore State { get; }
    public IScheduleStore Schedules { get; }

    /// <inheritdoc/>
    public IServiceStore Services { get; }

    /// <summary>The data source the store connects through; open your own connections and transactions from it
    /// to submit tasks transactionally.</summary>
    public NpgsqlDataSource DataSource => db.DataSource;

    /// <summary>The schema that holds the Nexus tables.</summary>
    public string Schema => db.Schema.Name;

    /// <summary>The LISTEN/NOTIFY channel on which inserts announce themselves: <c>nexus_tasks_</c> and the schema name
    /// (shortened with a hash when that would pass PostgreSQL's 63-character limit). The payload is the queue name,
    /// or empty when one insert touched several queues.</summary>
    public string NotifyChannel => db.Schema.NotifyChannel;

    /// <summary>The schema version this code needs.</summary>
    public static int SchemaVersion => PostgresMigrator.LatestVersion;

    /// <summary>Every schema version this code applies, ascending: 1 to <see cref="SchemaVersion"/>.</summary>
    public static IReadOnlyList<int> SchemaVersions => PostgresMigrator.Versions;

    /// <summary>
    /// Inserts tasks inside the caller's transaction: they exist (and the wake-up NOTIFY is sent) exactly when
    /// <paramref name="transaction"/> commits, and vanish if it rolls back. Everything else is as
    /// <see cref="ITaskStore.InsertAsync"/>: unique keys, backlog limits, results in order. When a backlog limit
    /// refuses the batch, <see cref="QueueFullException"/> is thrown and the transaction stays usable, without the batch.
    /// </summary>
    /// <param name="transaction">An open transaction on this store's database.</param>
    /// <param name="p">The tasks, already validated and resolved (see <c>INexusTasks.Prepare</c>).</param>
    /// <param name="cancellationToken">Cancels the insert.</param>
    /// <remarks>Backlog limits and unique keys are exact under the default READ COMMITTED isolation. Under REPEATABLE READ
    /// or SERIALIZABLE, a key or backlog that a concurrent transaction changed surfaces as a serialization failure.</remarks>
    public Task<IReadOnlyList<SubmitResult>> InsertAsync(NpgsqlTransaction transaction, InsertTasksParams p, CancellationToken cancellationToken = default) =>
        tasks.Inserter.InsertAsync(transaction, p, cancellationToken);

    /// <summary>Appends events inside the caller's transaction: they exist (and the dispatchers' wake-up NOTIFY is sent)
    /// exactly when <paramref name="transaction"/> commits, and vanish if it rolls back. Idempotency keys are as
    /// <see cref="IEventStore.AppendAsync"/>; a key taken by a concurrent open transaction waits for it.</summary>
    /// <param name="transaction">An open transaction on this store's database.</param>
    /// <param name="p">The events, already validated (see <c>INexusEvents.Prepare</c>).</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    public Task<IReadOnlyList<Events.AppendResult>> AppendAsync(NpgsqlTransaction transaction, AppendEventsParams p, CancellationToken cancellationToken = default) =>
        events.AppendAsync(transaction, p, cancellationToken);

    /// <summary>The days that have a partition of the event log now (UTC), ascending.</summary>
    public Task<IReadOnlyList<DateOnly>> EventPartitionsAsync(CancellationToken cancellationToken = default) => events.Partitions.ListAsync(cancellationToken);

    /// <inheritdoc/>
    public StoreHooks Hooks => db.Hooks;

    /// <inheritdoc/>
    public async Task<T> InTransactionAsync<T>(Func<IStoreTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var unit = new PostgresStoreTransaction(db, conn, tx) { CommittedByNexus = true };
        var result = await work(unit, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // A NOTIFY inside the transaction would serialize its commit with every other notifying commit of the cluster.
        if (unit.EventsAppended) events.SignalAppended();
        return result;
    }

    /// <summary>A unit of work over <b>your own</b> open transaction on this store's database: every call on its stores
    /// runs inside <paramref name="transaction"/>, so Nexus's writes (tasks, and the areas that follow) commit or roll
    /// back with yours. Nothing is committed by Nexus; owned-task hooks run inside it too.</summary>
    /// <param name="transaction">An open transaction on this store's database.</param>
    /// <exception cref="InvalidOperationException">The transaction is already completed.</exception>
    public IStoreTransaction Join(NpgsqlTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var conn = transaction.Connection
            ?? throw new InvalidOperationException("The transaction is already completed; join an open transaction.");
        return new PostgresStoreTransaction(db, conn, transaction);
    }

    /// <inheritdoc/>
    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default) => migrator.MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default) => migrator.CheckHealthAsync(cancellationToken);

    /// <summary>Disposes the data source when the store owns it. Listeners are disposed by whoever started them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        if (ownsDataSource) await db.DataSource.DisposeAsync().ConfigureAwait(false);
    }
}
