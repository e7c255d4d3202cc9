using System.Globalization;
using Spectre.Console;

namespace Nexus.Cli.Output;

/// <summary>How values look in human output.</summary>
internal static class Format
{
    public static string Time(DateTimeOffset? at) =>
        at is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Number(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    public static string Rate(double? perSecond) => perSecond is { } r ? r.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    public static string Limit(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";

    public static string List(IReadOnlyList<string>? items) => items is { Count: > 0 } ? string.Join(",", items) : "-";

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>A state name in its colour (escaped markup).</summary>
    public static string State(string state) => state switch
    {
        "succeeded" => "[green]succeeded[/]",
        "dead" => "[red]dead[/]",
        "cancelled" => "[grey]cancelled[/]",
        "waiting" => "[blue]waiting[/]",
        "running" => "[blue]running[/]",
        "retrying" => "[yellow]retrying[/]",
        _ => Markup.Escape(state),
    };

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns) table.AddColumn(new TableColumn(column));
        return table;
    }

    public static string E(string? text) => Markup.Escape(text ?? "-");
}
