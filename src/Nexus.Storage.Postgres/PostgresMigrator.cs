using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>Applies the embedded, versioned SQL files (<c>Migrations/NNNN_name.sql</c>) in one transaction under an
/// advisory lock, so that nodes starting together migrate once. A database newer than this code is left untouched.</summary>
internal sealed partial class PostgresMigrator(PostgresDatabase db)
{
    private static readonly IReadOnlyList<Migration> All = Load();

    /// <summary>The schema version this code needs: the highest embedded migration.</summary>
    public static int LatestVersion { get; } = All.Count == 0 ? 0 : All[^1].Version;

    /// <summary>Every embedded version, ascending.</summary>
    public static IReadOnlyList<int> Versions { get; } = [.. All.Select(m => m.Version)];

    public async Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Every start of every node comes here, and nearly always the schema is current: one read, no transaction and
        // no lock, decides that. Anything else (no schema yet, an older or newer one) takes the locked path below.
        if (await TryReadCurrentVersionAsync(conn, cancellationToken).ConfigureAwait(false) == LatestVersion)
        {
            return new MigrationResult(LatestVersion, LatestVersion, []);
        }
        // The lock is taken before the transaction begins: a backend reads the catalog changes other sessions committed
        // when a transaction starts, not when it gets an advisory lock, so a migrator that waited inside its transaction
        // for another to finish could still miss the schema that one created (and fail creating it again).
        await using (var lockCmd = new NpgsqlCommand("select pg_advisory_lock($1)", conn))
        {
            lockCmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = db.Schema.MigrationLockKey });
            await lockCmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await MigrateLockedAsync(conn, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A broken connection has lost its session and the lock with it; the pooled one is returned unlocked.
            if (conn.State == System.Data.ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand("select pg_advisory_unlock($1)", conn);
                unlock.Parameters.Add(new NpgsqlParameter<long> { TypedValue = db.Schema.MigrationLockKey });
                await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<MigrationResult> MigrateLockedAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var from = await ReadVersionAsync(conn, tx, cancellationToken).ConfigureAwait(false) ?? 0;
        if (from > LatestVersion)
        {
            throw SchemaTooNew(from);
        }

        var applied = new List<int>();
        var pending = All.Where(m => m.Version > from).ToList();
        if (pending.Count > 0)
        {
            await ExecuteAsync(conn, tx, $"""
                create schema if not exists {db.Schema.Quoted};
                create table if not exists {db.Schema.Table("schema_version")} (
                    version    int         primary key,
                    applied_at timestamptz not null default now()
                );
                """, cancellationToken).ConfigureAwait(false);

            foreach (var migration in pending)
            {
                await ExecuteAsync(conn, tx, migration.Sql.Replace("{schema}", db.Schema.Quoted, StringComparison.Ordinal), cancellationToken)
                    .ConfigureAwait(false);
                await using var mark = new NpgsqlCommand($"insert into {db.Schema.Table("schema_version")} (version) values ($1)", conn, tx);
                mark.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                applied.Add(migration.Version);
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MigrationResult(from, applied.Count > 0 ? applied[^1] : from, applied);
    }

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
            var version = await ReadVersionAsync(conn, null, cancellationToken).ConfigureAwait(false) ?? 0;
            string? error = null;
            if (version < LatestVersion)
            {
                error = $"The Nexus schema '{db.Schema.Name}' is at version {version}; this code needs version {LatestVersion}. Run the migrations (nexus migrate).";
            }
            else if (version > LatestVersion)
            {
                error = SchemaTooNew(version).Message;
            }
            return new StoreHealth(true, version, LatestVersion, error);
        }
        catch (StoreException ex)
        {
            return new StoreHealth(false, 0, LatestVersion, ex.Message);
        }
        catch (Exception ex) when (PostgresDatabase.IsConnectFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            return new StoreHealth(false, 0, LatestVersion, db.Unreachable(ex).Message);
        }
    }

    private StoreException SchemaTooNew(int found) => new(
        "schema-too-new",
        $"The Nexus schema '{db.Schema.Name}' at {db.Location} is at version {found}, but this code knows versions up to {LatestVersion}. " +
        "It was migrated by a newer Nexus; upgrade this node instead of migrating down. Nothing was changed.");

    /// <summary>The applied version in one round trip, or null when the version table is not there (yet).</summary>
    private async Task<int?> TryReadCurrentVersionAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        try
        {
            await using var read = new NpgsqlCommand($"select coalesce(max(version), 0) from {db.Schema.Table("schema_version")}", conn);
            return (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return null;
        }
    }

    /// <summary>The applied version, or null when the schema has no version table yet.</summary>
    private async Task<int?> ReadVersionAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("select to_regclass($1) is not null", conn, tx);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.Table("schema_version") });
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return null;
        }
        await using var read = new NpgsqlCommand($"select coalesce(max(version), 0) from {db.Schema.Table("schema_version")}", conn, tx);
        return (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        // No gaps: a database is migrated past every version up to its own, so a version that arrived later than a
        // higher one would never be applied to it.
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Embedded PostgreSQL migrations must be numbered 1, 2, 3… without gaps; found {list[i].Version} at position {i + 1}.");
            }
        }
        return list;
    }

    private sealed record Migration(int Version, string Sql);

    // Resource names look like Nexus.Storage.Postgres.Migrations.0001_initial.sql.
    [GeneratedRegex(@"\.Migrations\.(\d{4})_[A-Za-z0-9_]+\.sql$")]
    private static partial Regex ResourceName();
}
