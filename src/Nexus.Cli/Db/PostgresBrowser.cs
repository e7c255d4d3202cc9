using System.Text.RegularExpressions;
using Npgsql;

namespace Nexus.Cli.Db;

/// <summary><see cref="IDbBrowser"/> on a PostgreSQL schema: every read in a <c>READ ONLY</c> transaction (rolled back),
/// with a statement timeout; SQL rewriting is off, so a command is exactly one statement (the server refuses more in
/// one prepared command) and cannot end the read-only transaction to run a write after it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
    Justification = "Running the operator's own SQL is this tool's purpose; the READ ONLY transaction, not the text, keeps it from writing. Table names come from the catalog.")]
internal sealed partial class PostgresBrowser : IDbBrowser
{
    private readonly NpgsqlConnection _connection;
    private readonly string _schema;

    private PostgresBrowser(NpgsqlConnection connection, string schema)
    {
        _connection = connection;
        _schema = schema;
    }

    public string Store => "postgres";

    public static async Task<PostgresBrowser> OpenAsync(string connectionString, string schema, CancellationToken cancellationToken)
    {
        if (!SchemaName().IsMatch(schema)) throw new CliUsageException($"--schema: '{schema}' is not a schema name (lower-case letters, digits, '_').");
        // One statement per command, as the server's extended protocol allows: no "commit; delete …" past the read-only transaction.
        AppContext.SetSwitch("Npgsql.EnableSqlRewriting", false);
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return new PostgresBrowser(connection, schema);
    }

    public string Table(string shortName) => shortName;

    private async Task<T> ReadOnlyAsync<T>(Func<NpgsqlTransaction, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var tx = await _connection.BeginTransactionAsync(cancellationToken);
        // "select 1" makes the transaction's first query: after it, SET TRANSACTION READ WRITE is refused by the server.
        foreach (var setting in new[] { "set transaction read only", "set local statement_timeout = '30s'", $"set local search_path = \"{_schema}\"", "select 1" })
        {
            await using var set = new NpgsqlCommand(setting, _connection, tx);
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
        return await read(tx); // never committed: disposing the transaction rolls it back
    }

    public Task<IReadOnlyList<DbTable>> TablesAsync(CancellationToken cancellationToken) => ReadOnlyAsync<IReadOnlyList<DbTable>>(async tx =>
    {
        await using var command = new NpgsqlCommand("""
            select c.relname, greatest(c.reltuples, 0)::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition order by c.relname
            """, _connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _schema });
        var tables = new List<DbTable>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) tables.Add(new DbTable(reader.GetString(0), reader.GetInt64(1)));
        return tables;
    }, cancellationToken);

    public async Task<DbResult> PageAsync(string table, int page, int size, CancellationToken cancellationToken)
    {
        var name = await DbTables.KnownAsync(this, table, cancellationToken);
        return await ReadOnlyAsync(async tx =>
        {
            await using var command = new NpgsqlCommand($"select * from \"{name}\" order by 1 limit $1 offset $2", _connection, tx);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = size + 1 });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)(page - 1) * size });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await DbReader.ReadAsync(reader, size, cancellationToken);
        }, cancellationToken);
    }

    public Task<DbResult> QueryAsync(string sql, int max, CancellationToken cancellationToken) => ReadOnlyAsync(async tx =>
    {
        await using var command = new NpgsqlCommand(sql, _connection, tx);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await DbReader.ReadAsync(reader, max, cancellationToken);
    }, cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
