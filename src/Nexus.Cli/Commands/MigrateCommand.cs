using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Storage;
using Nexus.Storage.Postgres;
using Nexus.Storage.Sqlite;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus migrate</c>: applies the store driver's pending schema migrations straight to the database (no
/// server involved) and prints what it did.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var connection = new Option<string?>("--connection") { Description = "The connection string (sqlite default: Data Source=./data/nexus.db; required for postgres)" };
        var schema = new Option<string>("--schema") { Description = "PostgreSQL schema holding the tables", DefaultValueFactory = _ => "nexus" };
        var command = new Command("migrate", "Apply the database's pending schema migrations (talks to the database, not the server)") { store, connection, schema };
        command.HandleLocal(async (parse, ct) =>
        {
            var kind = parse.GetValue(store)!;
            var cs = parse.GetValue(connection);
            var json = parse.GetValue(GlobalOptions.Json);
            if (kind == "postgres" && string.IsNullOrWhiteSpace(cs)) throw new CliUsageException("--connection is required with --store postgres (Host=…;Database=…;Username=…;Password=…).");
            MigrationResult result;
            string where;
            try
            {
                if (kind == "sqlite")
                {
                    await using var sqlite = new SqliteStore(new SqliteStoreOptions { ConnectionString = cs ?? "Data Source=./data/nexus.db" });
                    var folder = Path.GetDirectoryName(sqlite.FilePath);
                    if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                    where = sqlite.FilePath;
                    result = await sqlite.MigrateAsync(ct);
                }
                else
                {
                    var name = parse.GetValue(schema)!;
                    await using var pg = PostgresStore.Create(cs!, o => o.Schema = name);
                    where = $"schema {name}";
                    result = await pg.MigrateAsync(ct);
                }
            }
            catch (ArgumentException ex)
            {
                throw new CliUsageException(ex.Message);
            }
            catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or InvalidOperationException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: migrating the {kind} database failed: {CommandActions.OneLine(ex.Message)}");
                return ExitCodes.Refused;
            }

            var report = new MigrateReport(kind, result.FromVersion, result.ToVersion, result.Applied);
            if (json) new Printer(true).WriteJson(report, CliJson.Default.MigrateReport);
            else
            {
                var what = result.Applied.Count == 0
                    ? $"already at schema version {result.ToVersion}; nothing to apply."
                    : $"applied migration(s) {string.Join(", ", result.Applied)}: schema version {result.FromVersion} → {result.ToVersion}.";
                new Printer(false).Out.MarkupLine($"{Markup.Escape(kind)} ({Markup.Escape(where)}): {Markup.Escape(what)}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
