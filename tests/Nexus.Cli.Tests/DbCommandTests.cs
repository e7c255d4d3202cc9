using System.Text.Json;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Storage;
using Nexus.Storage.Postgres;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Storage.Sqlite;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus db</c> as a process, straight on a migrated SQLite file and a PostgreSQL schema (no server): tables,
/// a page of a table, read-only SQL and the metrics; a write — even one hidden after a <c>commit</c> or another
/// statement — is refused by the database (exit 1) and changes nothing; an unknown table or bad page exits 2; the
/// interactive form needs a terminal (exit 2 when piped).</summary>
public sealed class DbCommandTests
{
    private readonly NexusCli _cli = new(host: null, apiKey: null);

    [Fact]
    public async Task Sqlite_TablesShowSqlMetrics_AndWritesAreRefusedByTheDatabase()
    {
        var file = Path.Combine(_cli.Folder, "db", "browse.db");
        var cs = $"Data Source={file}";
        await _cli.OkAsync("migrate", "--connection", cs);
        await using var store = new SqliteStore(new SqliteStoreOptions { ConnectionString = cs });
        await InsertAsync(store);

        await AssertBrowsesAsync(["--connection", cs], "nexus_tasks", exactCounts: true,
            ["select 1; delete from nexus_tasks", "delete from nexus_tasks", "update nexus_tasks set queue = 'elsewhere'"]);
        Assert.Equal(2, await CountAsync(store));
    }

    [Fact]
    public async Task Postgres_TablesShowSqlMetrics_AndWritesAreRefusedByTheDatabase()
    {
        var pg = await PostgresTestServer.GetAsync();
        var schema = pg.NewSchema();
        await _cli.OkAsync("migrate", "--store", "postgres", "--connection", pg.ConnectionString, "--schema", schema);
        await using var store = PostgresStore.Create(pg.ConnectionString, o => o.Schema = schema);
        await InsertAsync(store);

        await AssertBrowsesAsync(["--store", "postgres", "--connection", pg.ConnectionString, "--schema", schema], "tasks", exactCounts: false,
            ["commit; delete from tasks", "delete from tasks", "select 1; delete from tasks", "set transaction read write", "update tasks set queue = 'elsewhere'"]);
        Assert.Equal(2, await CountAsync(store));
    }

    [Fact]
    public async Task Interactive_WithoutATerminal_AndMissingFiles_ExitTwo()
    {
        var file = Path.Combine(_cli.Folder, "db", "menu.db");
        await _cli.OkAsync("migrate", "--connection", $"Data Source={file}");
        var piped = await _cli.RunAsync("db", "--connection", $"Data Source={file}");
        var missing = await _cli.RunAsync("db", "tables", "--connection", $"Data Source={Path.Combine(_cli.Folder, "none.db")}");
        var noPg = await _cli.RunAsync("db", "tables", "--store", "postgres");

        Assert.Equal((2, 2, 2), (piped.ExitCode, missing.ExitCode, noPg.ExitCode));
        Assert.Contains("needs a terminal", piped.Stderr, StringComparison.Ordinal);
        Assert.Contains("no SQLite file", missing.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_cli.Folder, "none.db")));
    }

    private async Task AssertBrowsesAsync(string[] store, string tasks, bool exactCounts, string[] writes)
    {
        var tables = await _cli.JsonAsync(["db", "tables", .. store]);
        var page1 = await _cli.JsonAsync(["db", "show", tasks, "--size", "1", .. store]);
        var page2 = await _cli.JsonAsync(["db", "show", tasks, "--size", "1", "--page", "2", .. store]);
        var human = await _cli.OkAsync(["db", "show", tasks, .. store]);
        var sql = await _cli.JsonAsync(["db", "sql", $"select plugin, queue from {tasks} where queue = 'db-q' order by id", .. store]);
        var metrics = await _cli.JsonAsync(["db", "metrics", .. store]);
        var unknown = await _cli.RunAsync(["db", "show", "no_such_table", .. store]);
        var badPage = await _cli.RunAsync(["db", "show", tasks, "--page", "0", .. store]);

        var listed = tables.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("rows").GetInt64());
        Assert.Contains(tasks, listed.Keys);
        if (exactCounts) Assert.Equal(2, listed[tasks]);
        Assert.Contains("plugin", page1.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal((1, true), (page1.GetProperty("rows").GetArrayLength(), page1.GetProperty("more").GetBoolean()));
        Assert.Equal((1, false), (page2.GetProperty("rows").GetArrayLength(), page2.GetProperty("more").GetBoolean()));
        Assert.Contains("db.probe", human.Stdout, StringComparison.Ordinal);
        Assert.Equal([["db.probe", "db-q"], ["db.probe", "db-q"]], sql.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetString()).ToList()).ToList());
        var titles = metrics.EnumerateArray().Select(s => s.GetProperty("title").GetString()).ToList();
        Assert.Contains("tasks by queue and state", titles);
        var byState = metrics.EnumerateArray().First(s => s.GetProperty("title").GetString() == "tasks by queue and state").GetProperty("rows").GetProperty("rows");
        Assert.Contains(byState.EnumerateArray(), r => r[0].GetString() == "db-q" && r[2].GetString() == "2");
        Assert.Equal((2, 2), (unknown.ExitCode, badPage.ExitCode));

        foreach (var write in writes)
        {
            var refused = await _cli.RunAsync(["db", "sql", write, .. store]);
            Assert.True(refused.ExitCode == 1, $"{write}: {refused}");
            Assert.Contains("database refused", refused.Stderr, StringComparison.Ordinal);
        }
    }

    private static Task InsertAsync(INexusStore store) =>
        store.Tasks.InsertAsync(new InsertTasksParams([
            new NewTask { Plugin = "db.probe", ArgsJson = """{"n":1}""", Queue = "db-q", MaxAttempts = 1 },
            new NewTask { Plugin = "db.probe", ArgsJson = """{"n":2}""", Queue = "db-q", MaxAttempts = 1 }]));

    private static async Task<long> CountAsync(INexusStore store) =>
        (await store.Tasks.CountAsync()).Where(c => c.Queue == "db-q").Sum(c => c.Counts.Values.Sum());
}
