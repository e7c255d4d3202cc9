using System.Globalization;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Output;

/// <summary>Human views of tasks: one task in detail, or a page as a table.</summary>
internal static class TaskView
{
    public static void Show(IAnsiConsole o, TaskResponse t)
    {
        // Plain "name  value" lines rather than a grid: no padding to the console width, easy to copy and to grep.
        void Row(string name, string markup) => o.MarkupLine($"[grey]{name,-10}[/] {markup}");
        Row("id", $"[bold]{t.Id}[/]");
        Row("state", Format.State(t.State) + (t.CancelRequested ? " (cancel requested)" : ""));
        Row("plugin", Format.E(t.Plugin));
        Row("queue", Format.E(t.Queue));
        Row("priority", t.Priority.ToString(CultureInfo.InvariantCulture));
        Row("attempt", $"{t.Attempt} of {t.MaxAttempts}");
        Row("created", Format.Time(t.CreatedAt));
        Row("run at", Format.Time(t.RunAt));
        Row("attempted", Format.Time(t.AttemptedAt));
        Row("finished", Format.Time(t.FinishedAt));
        if (t.LeasedBy is not null && t.State == TaskStates.Running) Row("leased by", $"{Format.E(t.LeasedBy)} until {Format.Time(t.LeaseExpiresAt)}");
        if (t.UniqueKey is not null) Row("unique key", Format.E(t.UniqueKey));
        if (t.Tags.Count > 0) Row("tags", Format.E(Format.List(t.Tags)));
        if (t.Progress is { } p) Row("progress", $"{p.Fraction:P0} {Format.E(p.Message ?? "")}");
        Row("args", Format.E(t.Args.GetRawText()));
        if (t.Result is { } result) Row("result", Format.E(result.GetRawText()));
        foreach (var e in t.Errors)
        {
            o.MarkupLine($"[red]attempt {e.Attempt}[/] {Format.Time(e.At)} {Format.E(e.Type)}: {Format.E(e.Message)}");
        }
    }

    /// <summary>One line per reason: its code, then its sentence.</summary>
    public static void Why(IAnsiConsole o, TaskWhyResponse why)
    {
        o.MarkupLine($"Task [bold]{why.TaskId}[/] is {Format.State(why.State)} (plugin {Format.E(why.Plugin)}, queue {Format.E(why.Queue)}):");
        foreach (var r in why.Reasons) o.MarkupLine($"  [yellow]{Format.E(r.Code)}[/] {Format.E(r.Message)}");
    }

    public static void Page(IAnsiConsole o, IReadOnlyList<TaskResponse> items, string? next)
    {
        if (items.Count == 0)
        {
            o.MarkupLine("[grey]No tasks.[/]");
            return;
        }
        var table = Format.Table("id", "plugin", "queue", "state", "attempt", "created", "finished", "tags");
        table.Columns[0].RightAligned();
        foreach (var t in items)
        {
            table.AddRow(Format.Id(t.Id), Format.E(t.Plugin), Format.E(t.Queue), Format.State(t.State),
                $"{t.Attempt}/{t.MaxAttempts}", Format.Time(t.CreatedAt), Format.Time(t.FinishedAt), Format.E(Format.List(t.Tags)));
        }
        o.Write(table);
        if (next is not null) o.MarkupLine($"[grey]More: --cursor {Format.E(next)} (or --all)[/]");
    }
}
