using Spectre.Console;

namespace Nexus.Cli.Db;

/// <summary>Human output of <c>nexus db</c>: Spectre tables, every value escaped (a stored value is never markup).</summary>
internal static class DbView
{
    private const int MaxCell = 80;

    public static void Tables(IAnsiConsole o, IReadOnlyList<DbTable> tables)
    {
        var table = new Table().AddColumn("table").AddColumn(new TableColumn("rows").RightAligned());
        foreach (var t in tables) table.AddRow(Markup.Escape(t.Name), t.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        o.Write(table);
    }

    public static void Rows(IAnsiConsole o, DbResult rows, string caption)
    {
        if (rows.Columns.Count == 0)
        {
            o.MarkupLine($"[grey]{Markup.Escape(caption)}: no columns.[/]");
            return;
        }
        var table = new Table { Caption = new TableTitle(Markup.Escape(caption)) };
        foreach (var c in rows.Columns) table.AddColumn(Markup.Escape(c));
        foreach (var r in rows.Rows) table.AddRow([.. r.Select(v => v is null ? "[grey]null[/]" : Markup.Escape(Cut(v)))]);
        o.Write(table);
    }

    private static string Cut(string v) => v.Length <= MaxCell ? v : v[..MaxCell] + "…";
}
