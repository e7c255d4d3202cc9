namespace Nexus.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>The PostgreSQL schema that holds every Nexus table. Lower-case letters, digits and <c>_</c>, starting
    /// with a letter or <c>_</c>, at most 63 characters. Several Nexus installations can share one database in
    /// different schemas; they neither see nor wake each other. Default <c>nexus</c>.</summary>
    public string Schema { get; set; } = "nexus";

    /// <summary>Most rows per insert statement; larger batches are split into several statements of one transaction.
    /// Default 5000.</summary>
    public int InsertChunkSize { get; set; } = 5000;

    /// <summary>Batches of at least this many tasks without unique keys, into queues without a backlog limit, are
    /// written with binary COPY (several times cheaper per row than the general insert). 0 turns the fast path off.
    /// Default 64.</summary>
    public int CopyThreshold { get; set; } = 64;

    /// <summary>Whether nodes LISTEN for wake-ups (task inserts, event appends) on a dedicated connection. Set false
    /// behind a connection pooler in transaction mode (PgBouncer <c>pool_mode = transaction</c>, RDS Proxy,
    /// Supavisor), where LISTEN does not work: the store then offers no notifications and every node finds work by
    /// polling at <c>NexusOptions.PollInterval</c> (and the events' <c>DispatchInterval</c>) — lower those to trade
    /// idle queries for latency. Inserts still send NOTIFY (it works through any pooler), so nodes that do listen are
    /// still woken. Default true.</summary>
    public bool Listen { get; set; } = true;

    /// <summary>First wait before the notification listener reconnects after losing its connection; doubles per
    /// failed attempt up to <see cref="ListenReconnectMaxDelay"/>. Default 100 ms.</summary>
    public TimeSpan ListenReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between the listener's reconnect attempts. Default 5 seconds.</summary>
    public TimeSpan ListenReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle listener checks that its connection is alive, so that a silently dropped
    /// connection is noticed and replaced. Default 30 seconds.</summary>
    public TimeSpan ListenKeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a session of the store's own data source may sit idle inside an open transaction before
    /// PostgreSQL ends it (<c>idle_in_transaction_session_timeout</c>), so that a frozen or stuck process cannot hold
    /// row locks (a claimed task's, a queue's settings row) forever. Applies to stores made by
    /// <see cref="PostgresStore.Create"/> unless the connection string's <c>Options</c> already set it; a data source
    /// you pass in keeps its own settings. Nexus's own transactions never wait idle. Null leaves the server's setting.
    /// Default 60 seconds.</summary>
    public TimeSpan? IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The tasks table is vacuumed by the maintenance leader once this many dead row versions have piled up
    /// (and at least a tenth of the live rows; checked every two seconds): every claim and completion leaves one, and a
    /// claim walks the ready index past the dead entries of every task claimed since the last vacuum, which
    /// autovacuum at its defaults (a look a minute, a fifth of the table) leaves for many seconds. 0 leaves it to
    /// autovacuum. Default 50000.</summary>
    public long VacuumDeadTasks { get; set; } = 50_000;

    /// <summary>Clock for the listener's reconnect backoff. Time decisions about tasks use the database clock.
    /// Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        PostgresSchema.Validate(Schema);
        if (InsertChunkSize is < 1 or > 100_000)
        {
            throw new ArgumentException($"PostgresStoreOptions.InsertChunkSize must be between 1 and 100000 (was {InsertChunkSize}).");
        }
        if (VacuumDeadTasks < 0)
        {
            throw new ArgumentException($"PostgresStoreOptions.VacuumDeadTasks must be 0 (off) or more (was {VacuumDeadTasks}).");
        }
        if (CopyThreshold < 0)
        {
            throw new ArgumentException($"PostgresStoreOptions.CopyThreshold must be 0 (off) or more (was {CopyThreshold}).");
        }
        if (ListenReconnectMinDelay <= TimeSpan.Zero || ListenReconnectMaxDelay < ListenReconnectMinDelay)
        {
            throw new ArgumentException("PostgresStoreOptions.ListenReconnectMinDelay must be positive and not above ListenReconnectMaxDelay.");
        }
        if (IdleInTransactionTimeout is { } idle && (idle < TimeSpan.FromMilliseconds(1) || idle > TimeSpan.FromDays(24)))
        {
            throw new ArgumentException($"PostgresStoreOptions.IdleInTransactionTimeout must be between 1 ms and 24 days, or null (was {idle}).");
        }
        if (ListenKeepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentException("PostgresStoreOptions.ListenKeepAlive must be positive.");
        }
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
