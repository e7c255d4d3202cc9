using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus queues ls|pause|resume|limits</c>.</summary>
internal static class QueuesCommand
{
    public static Command Create()
    {
        var queues = new Command("queues", "Queues: counts by state, pause, resume, limits");
        var list = new Command("ls", "List queues with their settings and task counts by state");
        list.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Queues.ListAsync(ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListQueueResponse, o => Table(o, all));
            return ExitCodes.Success;
        });
        queues.Subcommands.Add(list);
        queues.Subcommands.Add(Toggle("pause", "Stop claiming from a queue (submits still go in)", (c, n, ct) => c.Queues.PauseAsync(n, ct)));
        queues.Subcommands.Add(Toggle("resume", "Restart claiming from a queue", (c, n, ct) => c.Queues.ResumeAsync(n, ct)));
        queues.Subcommands.Add(Limits());
        return queues;
    }

    private static Command Toggle(string name, string description, Func<NexusClient, string, CancellationToken, Task<QueueResponse>> act)
    {
        var queue = new Argument<string>("queue") { Description = "The queue" };
        var command = new Command(name, description) { queue };
        command.Handle(async (parse, cli, ct) =>
        {
            var info = await act(cli.Client, parse.GetValue(queue)!, ct);
            cli.Printer.Show(info, CliJson.Default.QueueResponse, o => o.MarkupLine($"Queue [bold]{Format.E(info.Name)}[/] is {(info.Paused ? "[yellow]paused[/]" : "[green]running[/]")}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Limits()
    {
        var queue = new Argument<string>("queue") { Description = "The queue" };
        var concurrency = new Option<string?>("--max-concurrency") { Description = "Most tasks running at once across all nodes, or 'none'" };
        var backlog = new Option<string?>("--max-backlog") { Description = "Most waiting tasks before submits are refused (429), or 'none'" };
        var command = new Command("limits", "Show or change a queue's concurrency and backlog limits") { queue, concurrency, backlog };
        command.Handle(async (parse, cli, ct) =>
        {
            var name = parse.GetValue(queue)!;
            var c = parse.GetValue(concurrency);
            var b = parse.GetValue(backlog);
            QueueResponse info;
            if (c is not null && b is not null) info = await cli.Client.Queues.SetLimitsAsync(name, (int?)Parse(c, "--max-concurrency"), Parse(b, "--max-backlog"), ct);
            else if (c is not null) info = await cli.Client.Queues.SetMaxConcurrencyAsync(name, (int?)Parse(c, "--max-concurrency"), ct);
            else if (b is not null) info = await cli.Client.Queues.SetMaxBacklogAsync(name, Parse(b, "--max-backlog"), ct);
            else info = await cli.Client.Queues.GetAsync(name, ct);
            cli.Printer.Show(info, CliJson.Default.QueueResponse, o => o.MarkupLine(
                $"Queue [bold]{Format.E(info.Name)}[/]: max concurrency {Format.Limit(info.MaxConcurrency)}, max backlog {Format.Limit(info.MaxBacklog)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static long? Parse(string text, string option)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (option != "--max-concurrency" || n <= int.MaxValue)
            ? n
            : throw new CliUsageException($"{option} must be a whole number of 0 or more, or 'none' (was '{text}').");
    }

    private static void Table(IAnsiConsole o, IReadOnlyList<QueueResponse> queues)
    {
        if (queues.Count == 0)
        {
            o.MarkupLine("[grey]No queues yet: submit a task.[/]");
            return;
        }
        var table = Format.Table(["queue", "paused", .. TaskStates.All, "total", "max conc.", "max backlog"]);
        for (var i = 1; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var q in queues)
        {
            table.AddRow([Format.E(q.Name), q.Paused ? "[yellow]yes[/]" : "no", .. TaskStates.All.Select(s => Format.Number(q.Count(s))),
                Format.Number(q.Total), Format.Limit(q.MaxConcurrency), Format.Limit(q.MaxBacklog)]);
        }
        o.Write(table);
    }
}
