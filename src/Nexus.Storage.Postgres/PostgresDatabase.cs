using System.Net.Sockets;
using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>What every part of the store shares: the data source, the schema names and the settings. Opening
/// connections goes through here so that an unreachable database reads the same everywhere.</summary>
internal sealed class PostgresDatabase(NpgsqlDataSource dataSource, PostgresSchema schema, PostgresStoreOptions options)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;
    public PostgresSchema Schema { get; } = schema;
    public PostgresStoreOptions Options { get; } = options;

    /// <summary>The hooks of owned tasks (the store's), run inside the transactions that change them.</summary>
    public StoreHooks Hooks { get; init; } = new();

    /// <summary>The days known to have a partition of the event log, shared by every instance bound to a transaction.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<DateOnly, bool> EventPartitionDays { get; private init; } = new();

    /// <summary>The unit of work the components built over this instance run in, or null (each call on its own).</summary>
    public PostgresStoreTransaction? Joined { get; private init; }

    /// <summary>The same database, bound to <paramref name="transaction"/>.</summary>
    public PostgresDatabase Join(PostgresStoreTransaction transaction) =>
        ReferenceEquals(Joined, transaction) ? this : new(DataSource, Schema, Options) { Hooks = Hooks, Joined = transaction, EventPartitionDays = EventPartitionDays, location = Location };

    /// <summary>A connection for one call: the unit of work's, or a pooled one (see <see cref="PostgresLease"/>).</summary>
    public async ValueTask<PostgresLease> LeaseAsync(CancellationToken cancellationToken) =>
        Joined is { } joined ? new PostgresLease(joined.Connection, joined) : new PostgresLease(await OpenAsync(cancellationToken).ConfigureAwait(false), null);

    /// <summary>The unit of work for hooks of a call on <paramref name="lease"/> with its own transaction <paramref name="own"/>.</summary>
    public IStoreTransaction TransactionFor(PostgresLease lease, PostgresTxScope own) =>
        lease.Joined ?? new PostgresStoreTransaction(this, lease.Connection, own.Transaction
            ?? throw new InvalidOperationException("Hooks need the call to run in a transaction."));

    /// <summary>Host, port and database, never credentials: safe for messages and logs.</summary>
    public string Location => location ??= DescribeLocation(DataSource.ConnectionString);

    // Parsed once per store; every unit of work's instance (Join) takes it over.
    private string? location;

    /// <summary>Opens a pooled connection. Throws <see cref="StoreException"/> (<c>store-unreachable</c>) when the
    /// server cannot be reached or refuses the login.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(ex);
        }
    }

    public StoreException Unreachable(Exception ex) =>
        new("store-unreachable", $"Cannot reach the Nexus PostgreSQL store at {Location}: {Reason(ex)}", ex);

    public static bool IsConnectFailure(Exception ex) =>
        ex is NpgsqlException or SocketException or TimeoutException or IOException;

    private static string Reason(Exception ex)
    {
        // Npgsql's outer message is often generic ("Failed to connect to ..."); the innermost one says why.
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return ReferenceEquals(inner, ex) ? ex.Message : $"{ex.Message} ({inner.Message})";
    }

    private static string DescribeLocation(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var host = string.IsNullOrEmpty(b.Host) ? "localhost" : b.Host;
        var database = string.IsNullOrEmpty(b.Database) ? b.Username ?? "(default)" : b.Database;
        return $"host {host}, port {b.Port}, database '{database}'";
    }
}
