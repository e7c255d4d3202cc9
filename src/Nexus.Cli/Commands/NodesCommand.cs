using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus nodes ls</c>: engine processes and external workers with their last heartbeat.</summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var nodes = new Command("nodes", "The cluster's nodes (engine processes and external workers)");
        var list = new Command("ls", "List nodes with their last heartbeat and running tasks");
        list.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Nodes.ListAsync(ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListNodeResponse, o =>
            {
                if (all.Count == 0)
                {
                    o.MarkupLine("[grey]No nodes have reported.[/]");
                    return;
                }
                var table = Format.Table("node", "kind", "status", "host", "running", "concurrency", "last seen", "started", "queues", "plugins");
                foreach (var n in all)
                {
                    table.AddRow(Format.E(n.Id), Format.E(n.Kind), n.Status == "alive" ? "[green]alive[/]" : $"[red]{Format.E(n.Status)}[/]", Format.E(n.Host),
                        n.Running.ToString(CultureInfo.InvariantCulture), n.Concurrency.ToString(CultureInfo.InvariantCulture),
                        Format.Time(n.LastSeenAt), Format.Time(n.StartedAt), Format.E(n.Queues.Count == 0 ? "all" : Format.List(n.Queues)), Format.E(Format.List(n.Plugins)));
                }
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        nodes.Subcommands.Add(list);
        return nodes;
    }
}
