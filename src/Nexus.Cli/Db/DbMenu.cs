using Spectre.Console;

namespace Nexus.Cli.Db;

/// <summary>The interactive <c>nexus db</c>: a menu of tables (paged with next/previous), read-only SQL and the metrics,
/// with Spectre.Console prompts.</summary>
internal static class DbMenu
{
    private const string TablesItem = "Browse a table";
    private const string SqlItem = "Run read-only SQL";
    private const string MetricsItem = "Metrics";
    private const string QuitItem = "Quit";

    public static async Task RunAsync(IDbBrowser browser, IAnsiConsole o, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var choice = await o.PromptAsync(new SelectionPrompt<string>().Title($"nexus db ({Markup.Escape(browser.Store)}, read-only)")
                .AddChoices(TablesItem, SqlItem, MetricsItem, QuitItem), cancellationToken);
            try
            {
                switch (choice)
                {
                    case TablesItem:
                        await BrowseAsync(browser, o, cancellationToken);
                        break;
                    case SqlItem:
                        var sql = await o.PromptAsync(new TextPrompt<string>("SQL (one statement):"), cancellationToken);
                        DbView.Rows(o, await browser.QueryAsync(sql, 200, cancellationToken), "at most 200 rows");
                        break;
                    case MetricsItem:
                        foreach (var (title, query) in DbTables.Metrics(browser)) DbView.Rows(o, await browser.QueryAsync(query, 1000, cancellationToken), title);
                        break;
                    default:
                        return;
                }
            }
            catch (System.Data.Common.DbException ex)
            {
                o.MarkupLine($"[red]The database refused: {Markup.Escape(ex.Message)}[/]");
            }
        }
    }

    private static async Task BrowseAsync(IDbBrowser browser, IAnsiConsole o, CancellationToken cancellationToken)
    {
        var tables = await browser.TablesAsync(cancellationToken);
        if (tables.Count == 0)
        {
            o.MarkupLine("[grey]No Nexus tables here (run nexus migrate first).[/]");
            return;
        }
        var name = await o.PromptAsync(new SelectionPrompt<string>().Title("Table").PageSize(20).AddChoices(tables.Select(t => t.Name)), cancellationToken);
        var page = 1;
        while (true)
        {
            var rows = await browser.PageAsync(name, page, 20, cancellationToken);
            DbView.Rows(o, rows, $"{name}, page {page}");
            var moves = new List<string>();
            if (rows.More) moves.Add("Next page");
            if (page > 1) moves.Add("Previous page");
            moves.Add("Back");
            switch (await o.PromptAsync(new SelectionPrompt<string>().AddChoices(moves), cancellationToken))
            {
                case "Next page":
                    page++;
                    break;
                case "Previous page":
                    page--;
                    break;
                default:
                    return;
            }
        }
    }
}
