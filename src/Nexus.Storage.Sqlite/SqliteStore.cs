using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes in this process go through one writer connection,
/// one transaction at a time, each a <c>BEGIN IMMEDIATE</c> so that several processes sharing the file are
/// serialized by SQLite's write lock and never claim the same task twice. Reads use pooled connections.
/// </summary>
public sealed class SqliteStore : INexusStore
{
    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly int _busyTimeoutSeconds;
    private readonly SqliteWriter _writer;

    /// <summary>Creates the store. Nothing is opened until first use.</summary>
    public SqliteStore(SqliteStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Synchronous is not ("FULL" or "NORMAL" or "EXTRA"))
        {
            throw new ArgumentException($"SqliteStoreOptions.Synchronous must be FULL, NORMAL or EXTRA (was '{options.Synchronous}').", nameof(options));
        }
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString)
        {
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            throw new ArgumentException("The SQLite connection string needs a Data Source (a file path).", nameof(options));
        }
        if (builder.DataSource != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource);
        }
        _connectionString = builder.ToString();
        _synchronous = options.Synchronous;
        _busyTimeoutSeconds = builder.DefaultTimeout;
        FilePath = builder.DataSource;
        Time = time ?? TimeProvider.System;
        _writer = new SqliteWriter(ct => OpenAsync(isWriter: true, ct));
        Session = new SqliteWriterSession(this);
        Tasks = new SqliteTaskStore(Session);
        Events = new SqliteEventStore(Session);
        Queues = new SqliteQueueStore(this);
        Leader = new SqliteLeaderStore(this);
        ApiKeys = new SqliteApiKeyStore(this);
        Nodes = new SqliteNodeStore(this);
        ExternalPlugins = new SqliteExternalPluginStore(this);
        Workflows = new SqliteWorkflowStore(Session);
        State = new SqliteStateStore(Session);
        Schedules = new SqliteScheduleStore(Session);
        Services = new SqliteServiceStore(Session);
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public string Driver => "sqlite";

    /// <inheritdoc/>
    public ITaskStore Tasks { get; }

    /// <inheritdoc/>
    public IQueueStore Queues { get; }

    /// <inheritdoc/>
    public IEventStore Events { get; }

    /// <inheritdoc/>
    public ILeaderStore Leader { get; }

    /// <inheritdoc/>
    public ITaskNotifications? Notifications => null;

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

    /// <inheritdoc/>
    public StoreHooks Hooks { get; } = new();

    internal TimeProvider Time { get; }

    /// <summary>The session of calls made on the store itself (not inside a unit of work).</summary>
    internal SqliteSession Session { get; }

    /// <inheritdoc/>
    public Task<T> InTransactionAsync<T>(Func<IStoreTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return WriteAsync(tx => work(new SqliteStoreTransaction(this, tx), cancellationToken), cancellationToken);
    }

    /// <summary>The store's clock: SQLite lives on this machine, so the database clock is the process clock.</summary>
    internal long NowMs(DateTimeOffset? now) => (now ?? Time.GetUtcNow()).ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(tx => SqliteMigrator.MigrateAsync(tx, cancellationToken), cancellationToken);

    /// <inheritdoc/>
    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenReadAsync(cancellationToken);
            var version = await SqliteMigrator.CurrentVersionAsync(connection, null, cancellationToken);
            return new StoreHealth(true, version, SqliteMigrator.LatestVersion, version == SqliteMigrator.LatestVersion ? null : $"schema version {version}, expected {SqliteMigrator.LatestVersion}");
        }
        catch (Exception ex) when (ex is SqliteException or StoreException or IOException or UnauthorizedAccessException)
        {
            return new StoreHealth(false, 0, SqliteMigrator.LatestVersion, ex.Message);
        }
    }

    /// <summary>Runs <paramref name="work"/> in the writer's <c>BEGIN IMMEDIATE</c> transaction, batched with the
    /// writes queued beside it (group commit); the task completes once its batch has committed.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await _writer.WriteAsync(work, cancellationToken);
        }
        catch (SqliteException ex) when (IsUnusable(ex))
        {
            throw Unreachable(ex);
        }
    }

    internal async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(isWriter: false, cancellationToken);
        }
        catch (SqliteException ex) when (IsUnusable(ex))
        {
            throw Unreachable(ex);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Pragmas built from validated options (Synchronous is one of three literals; the timeout is an int).")]
    private async Task<SqliteConnection> OpenAsync(bool isWriter, CancellationToken cancellationToken)
    {
        if (isWriter)
        {
            var folder = Path.GetDirectoryName(FilePath);
            if (!string.IsNullOrEmpty(folder))
            {
                try
                {
                    Directory.CreateDirectory(folder);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new StoreException("store-unreachable", $"Cannot create the folder '{folder}' for the SQLite database: {ex.Message}", ex);
                }
            }
        }
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = isWriter
                ? $"PRAGMA journal_mode=WAL; PRAGMA synchronous={_synchronous}; PRAGMA busy_timeout={_busyTimeoutSeconds * 1000}; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
                : $"PRAGMA busy_timeout={_busyTimeoutSeconds * 1000};";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw Unreachable(ex);
        }
    }

    private static bool IsUnusable(SqliteException ex) =>
        ex.SqliteErrorCode is 14 /* CANTOPEN */ or 26 /* NOTADB */ or 11 /* CORRUPT */ or 8 /* READONLY */ or 23 /* AUTH */;

    private StoreException Unreachable(SqliteException ex) =>
        new("store-unreachable", $"Cannot use the SQLite database '{FilePath}': {ex.Message}", ex);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
