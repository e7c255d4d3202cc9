using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>Applies the embedded, versioned SQL files in order, inside the caller's write transaction (which is the lock).</summary>
internal static class SqliteMigrator
{
    private static readonly IReadOnlyList<(int Version, string Sql)> Migrations = Load();

    public static int LatestVersion => Migrations[^1].Version;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "The SQL is the embedded migration files shipped in this assembly.")]
    public static async Task<MigrationResult> MigrateAsync(SqliteTransaction tx, CancellationToken cancellationToken)
    {
        var connection = tx.Connection!;
        await using (var create = connection.CreateCommand())
        {
            create.Transaction = tx;
            create.CommandText = "CREATE TABLE IF NOT EXISTS nexus_schema_version (version INTEGER NOT NULL)";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var from = await CurrentVersionAsync(connection, tx, cancellationToken);
        if (from > LatestVersion)
        {
            throw new StoreException("schema-too-new",
                $"The SQLite database is at schema version {from}, but this Nexus knows versions up to {LatestVersion}. Upgrade Nexus; nothing was changed.");
        }
        var applied = new List<int>();
        foreach (var (version, sql) in Migrations.Where(m => m.Version > from))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            applied.Add(version);
        }
        if (applied.Count > 0)
        {
            await using var set = connection.CreateCommand();
            set.Transaction = tx;
            set.CommandText = "DELETE FROM nexus_schema_version; INSERT INTO nexus_schema_version (version) VALUES ($v)";
            set.Parameters.AddWithValue("$v", applied[^1]);
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
        return new MigrationResult(from, applied.Count > 0 ? applied[^1] : from, applied);
    }

    public static async Task<int> CurrentVersionAsync(SqliteConnection connection, SqliteTransaction? tx, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE type='table' AND name='nexus_schema_version') THEN 1 ELSE 0 END";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0) return 0;
        command.CommandText = "SELECT coalesce(max(version), 0) FROM nexus_schema_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static List<(int, string)> Load()
    {
        var assembly = typeof(SqliteMigrator).Assembly;
        var list = new List<(int, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var file = name.Split('.')[^2].TrimStart('_'); // ...Migrations.0001_initial.sql
            var version = int.Parse(file.Split('_')[0], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add((version, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        // No gaps: a database is migrated past every version up to its own, so a version that arrived later than a
        // higher one would never be applied to it.
        if (list.Count == 0 || list.Select((m, i) => m.Item1 != i + 1).Any(gap => gap))
        {
            throw new InvalidOperationException("Embedded SQLite migrations must be numbered 1, 2, 3… without gaps.");
        }
        return list;
    }
}
