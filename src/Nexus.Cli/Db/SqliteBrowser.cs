using Microsoft.Data.Sqlite;

namespace Nexus.Cli.Db;

/// <summary><see cref="IDbBrowser"/> on a SQLite file, opened read-only (<c>Mode=ReadOnly</c>) with <c>query_only</c> on.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities",
    Justification = "Running the operator's own SQL is this tool's purpose; the read-only file mode, not the text, keeps it from writing. Table names come from sqlite_schema.")]
internal sealed class SqliteBrowser : IDbBrowser
{
    private readonly SqliteConnection _connection;

    private SqliteBrowser(SqliteConnection connection) => _connection = connection;

    public string Store => "sqlite";

    public static async Task<SqliteBrowser> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        if (!File.Exists(builder.DataSource)) throw new CliUsageException($"--connection: there is no SQLite file at '{builder.DataSource}'.");
        var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellationToken);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA query_only = ON";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        return new SqliteBrowser(connection);
    }

    public string Table(string shortName) => shortName.StartsWith("nexus_", StringComparison.Ordinal) ? shortName : "nexus_" + shortName;

    public async Task<IReadOnlyList<DbTable>> TablesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'nexus\\_%' ESCAPE '\\' ORDER BY name";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        }
        var tables = new List<DbTable>();
        foreach (var name in names)
        {
            await using var count = _connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{name}\""; // a name read from sqlite_schema just above
            tables.Add(new DbTable(name, (long)(await count.ExecuteScalarAsync(cancellationToken))!));
        }
        return tables;
    }

    public async Task<DbResult> PageAsync(string table, int page, int size, CancellationToken cancellationToken)
    {
        var name = await DbTables.KnownAsync(this, Table(table), cancellationToken);
        await using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{name}\" ORDER BY 1 LIMIT $limit OFFSET $offset";
        command.Parameters.AddWithValue("$limit", size + 1);
        command.Parameters.AddWithValue("$offset", (long)(page - 1) * size);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await DbReader.ReadAsync(reader, size, cancellationToken);
    }

    public async Task<DbResult> QueryAsync(string sql, int max, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = await DbReader.ReadAsync(reader, max, cancellationToken);
        // Run every further statement now (the first one's rows are shown): a write among them fails here, refused by the read-only file.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        return result;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
