using System.CommandLine;
using System.Data.Common;
using Nexus.Cli.Db;
using Nexus.Cli.Output;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus db</c>: a read-only browser of Nexus's own tables, straight on the database by connection string
/// (like <c>migrate</c>; whoever holds the database's credentials is its admin): <c>tables</c>, <c>show TABLE
/// --page</c>, <c>sql "select …"</c> (writes refused by the database), <c>metrics</c>, and, on a terminal, an
/// interactive menu (<c>nexus db</c> alone).</summary>
internal static class DbCommand
{
    private static readonly Option<string> StoreOption = new("--store") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite", Recursive = true };
    private static readonly Option<string?> ConnectionOption = new("--connection") { Description = "The connection string (sqlite default: Data Source=./data/nexus.db; required for postgres)", Recursive = true };
    private static readonly Option<string> SchemaOption = new("--schema") { Description = "PostgreSQL schema holding the tables", DefaultValueFactory = _ => "nexus", Recursive = true };

    public static Command Create()
    {
        StoreOption.AcceptOnlyFromAmong("sqlite", "postgres");
        var db = new Command("db", "Browse Nexus's own tables read-only, straight on the database (a menu on a terminal)") { StoreOption, ConnectionOption, SchemaOption };
        db.Subcommands.Add(Tables());
        db.Subcommands.Add(Show());
        db.Subcommands.Add(Sql());
        db.Subcommands.Add(Metrics());
        Run(db, async (browser, printer, parse, ct) =>
        {
            if (Console.IsInputRedirected || Console.IsOutputRedirected || printer.Json)
            {
                throw new CliUsageException("nexus db alone is the interactive browser and needs a terminal; use nexus db tables | show TABLE | sql \"select …\" | metrics.");
            }
            await DbMenu.RunAsync(browser, printer.Out, ct);
            return ExitCodes.Success;
        });
        return db;
    }

    private static Command Tables()
    {
        var command = new Command("tables", "List Nexus's tables with their row counts (PostgreSQL: estimates)");
        Run(command, async (browser, printer, _, ct) =>
        {
            var tables = await browser.TablesAsync(ct);
            printer.Show(new DbTablesReport(browser.Store, tables), CliJson.Default.DbTablesReport, o => DbView.Tables(o, tables));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var table = new Argument<string>("table") { Description = "A table from `nexus db tables` (on SQLite the nexus_ prefix may be left out)" };
        var page = new Option<int>("--page", "-p") { Description = "The page, from 1", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Rows per page, 1–500", DefaultValueFactory = _ => 20 };
        var command = new Command("show", "Show one page of a table, ordered by its first column") { table, page, size };
        Run(command, async (browser, printer, parse, ct) =>
        {
            var p = parse.GetValue(page);
            var s = parse.GetValue(size);
            if (p < 1) throw new CliUsageException("--page: pages start at 1.");
            if (s is < 1 or > 500) throw new CliUsageException("--size: 1–500 rows.");
            var rows = await browser.PageAsync(parse.GetValue(table)!, p, s, ct);
            printer.Show(rows, CliJson.Default.DbResult, o => DbView.Rows(o, rows, $"page {p}{(rows.More ? $"; more: --page {p + 1}" : "; the last page")}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Sql()
    {
        var sql = new Argument<string>("sql") { Description = "One read-only SQL statement; the database refuses writes" };
        var max = new Option<int>("--max") { Description = "Most rows shown, 1–10000", DefaultValueFactory = _ => 200 };
        var command = new Command("sql", "Run one read-only SQL statement (in a read-only connection or transaction)") { sql, max };
        Run(command, async (browser, printer, parse, ct) =>
        {
            var m = parse.GetValue(max);
            if (m is < 1 or > 10_000) throw new CliUsageException("--max: 1–10000 rows.");
            var rows = await browser.QueryAsync(parse.GetValue(sql)!, m, ct);
            printer.Show(rows, CliJson.Default.DbResult, o => DbView.Rows(o, rows, rows.More ? $"the first {m} rows" : $"{rows.Rows.Count} row(s)"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Metrics()
    {
        var command = new Command("metrics", "Counts from the tables: tasks by queue and state, events and dead letters by namespace, subscriptions, schedules, services, nodes");
        Run(command, async (browser, printer, _, ct) =>
        {
            var sections = new List<DbMetricSection>();
            foreach (var (title, sql) in DbTables.Metrics(browser)) sections.Add(new DbMetricSection(title, await browser.QueryAsync(sql, 1000, ct)));
            printer.Show(sections, CliJson.Default.IReadOnlyListDbMetricSection, o =>
            {
                foreach (var s in sections) DbView.Rows(o, s.Rows, s.Title);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Opens the store named by the options, runs <paramref name="body"/>, and turns the database's refusals
    /// (a write in a read-only connection, a bad statement) into one line and exit code 1.</summary>
    private static void Run(Command command, Func<IDbBrowser, Printer, ParseResult, CancellationToken, Task<int>> body) =>
        command.HandleLocal(async (parse, ct) =>
        {
            var kind = parse.GetValue(StoreOption)!;
            var cs = parse.GetValue(ConnectionOption);
            if (kind == "postgres" && string.IsNullOrWhiteSpace(cs)) throw new CliUsageException("--connection is required with --store postgres (Host=…;Database=…;Username=…;Password=…).");
            var printer = new Printer(parse.GetValue(GlobalOptions.Json));
            try
            {
                await using IDbBrowser browser = kind == "sqlite"
                    ? await SqliteBrowser.OpenAsync(cs ?? "Data Source=./data/nexus.db", ct)
                    : await PostgresBrowser.OpenAsync(cs!, parse.GetValue(SchemaOption)!, ct);
                return await body(browser, printer, parse, ct);
            }
            catch (ArgumentException ex)
            {
                throw new CliUsageException(ex.Message);
            }
            catch (DbException ex)
            {
                await Console.Error.WriteLineAsync($"error: the {kind} database refused: {CommandActions.OneLine(ex.Message)}");
                return ExitCodes.Refused;
            }
        });
}
