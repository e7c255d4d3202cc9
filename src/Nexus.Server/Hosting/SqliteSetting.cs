using Microsoft.Data.Sqlite;

namespace Nexus.Server.Hosting;

/// <summary>Reads <c>Nexus:Sqlite</c> (<c>--sqlite</c>, <c>NEXUS_SQLITE</c>): a file path (<c>./data/nexus.db</c>) or a
/// SQLite connection string (<c>Data Source=./data/nexus.db;Cache=Shared</c>).</summary>
internal static class SqliteSetting
{
    public const string Default = "Data Source=./data/nexus.db";

    /// <summary>The connection string for <paramref name="value"/>: the default when empty, a path turned into
    /// <c>Data Source=…</c>, a connection string as given once it parses.</summary>
    /// <exception cref="InvalidOperationException">The value is neither, or names no file.</exception>
    public static string ConnectionString(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Default;
        var text = value.Trim();
        // A path has no '=': "Data Source=…" and every other keyword of a connection string have one.
        if (!text.Contains('=', StringComparison.Ordinal)) return new SqliteConnectionStringBuilder { DataSource = text }.ToString();
        SqliteConnectionStringBuilder parsed;
        try
        {
            parsed = new SqliteConnectionStringBuilder(text);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"Nexus:Sqlite must be a file path (e.g. ./data/nexus.db) or a SQLite connection string (e.g. \"Data Source=./data/nexus.db\"); '{text}' is neither: {ex.Message}", ex);
        }
        if (string.IsNullOrWhiteSpace(parsed.DataSource))
        {
            throw new InvalidOperationException($"Nexus:Sqlite '{text}' names no database file (Data Source=…).");
        }
        return text;
    }
}
