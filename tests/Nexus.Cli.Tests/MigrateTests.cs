using Nexus.Cli.Tests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus migrate</c> against a database, without a server: a fresh SQLite file and a fresh PostgreSQL schema
/// get every migration once, and a second run has nothing to do.</summary>
public sealed class MigrateTests
{
    private readonly NexusCli _cli = new(host: null, apiKey: null);

    [Fact]
    public async Task Migrate_AFreshSqliteFile_AppliesEveryMigrationOnce()
    {
        var file = Path.Combine(_cli.Folder, "db", "fresh.db");

        var first = await _cli.JsonAsync("migrate", "--store", "sqlite", "--connection", $"Data Source={file}");
        var human = await _cli.OkAsync("migrate", "--connection", $"Data Source={file}");

        Assert.True(File.Exists(file));
        Assert.Equal(0, first.GetProperty("fromVersion").GetInt32());
        var applied = first.GetProperty("applied").EnumerateArray().Select(v => v.GetInt32()).ToList();
        Assert.Equal(1, applied[0]);
        Assert.Equal(applied[^1], first.GetProperty("toVersion").GetInt32());
        Assert.Contains($"already at schema version {applied[^1]}; nothing to apply.", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_AFreshPostgresSchema_AppliesEveryMigrationOnce()
    {
        var pg = await PostgresTestServer.GetAsync();
        var schema = pg.NewSchema();

        var first = await _cli.OkAsync("migrate", "--store", "postgres", "--connection", pg.ConnectionString, "--schema", schema);
        var second = await _cli.JsonAsync("migrate", "--store", "postgres", "--connection", pg.ConnectionString, "--schema", schema);

        Assert.Contains("applied migration(s) 1,", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"schema {schema}", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, second.GetProperty("applied").GetArrayLength());
        Assert.True(second.GetProperty("toVersion").GetInt32() >= 2);
    }

    [Fact]
    public async Task Migrate_PostgresWithoutConnection_ExitsTwo_AndAnUnreachableDatabaseExitsOne()
    {
        var missing = await _cli.RunAsync("migrate", "--store", "postgres");
        var unreachable = await _cli.RunAsync("migrate", "--store", "postgres", "--connection", "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=3");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--connection is required", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.StartsWith("error: migrating the postgres database failed", unreachable.Stderr, StringComparison.Ordinal);
    }
}
