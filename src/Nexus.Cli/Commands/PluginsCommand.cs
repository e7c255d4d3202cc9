using System.CommandLine;
using Nexus.Cli.Output;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus plugins ls|show</c>.</summary>
internal static class PluginsCommand
{
    public static Command Create()
    {
        var plugins = new Command("plugins", "The plugins tasks can be submitted to");
        var list = new Command("ls", "List the registered plugins");
        list.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Plugins.ListAsync(ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListPluginResponse, o =>
            {
                var table = Format.Table("plugin", "version", "queue", "max attempts", "description");
                foreach (var p in all)
                {
                    table.AddRow(Format.E(p.Name), Format.E(p.Version), Format.E(p.Queue), p.MaxAttempts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", Format.E(p.Description));
                }
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        plugins.Subcommands.Add(list);

        var name = new Argument<string>("name") { Description = "The plugin, e.g. text.wordcount" };
        var show = new Command("show", "Show a plugin and the JSON schema of its args") { name };
        show.Handle(async (parse, cli, ct) =>
        {
            var p = await cli.Client.Plugins.GetAsync(parse.GetValue(name)!, ct);
            cli.Printer.Show(p, CliJson.Default.PluginResponse, o =>
            {
                o.MarkupLine($"[bold]{Format.E(p.Name)}[/] {Format.E(p.Version)} — {Format.E(p.Description)}");
                o.MarkupLine($"queue {Format.E(p.Queue)}, max attempts {p.MaxAttempts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "server default"}, timeout {(p.TimeoutMs is { } t ? t + " ms" : "none")}");
                o.MarkupLine("[grey]args schema:[/]");
                o.WriteLine(p.ArgsSchema.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, TypeInfoResolver = CliJson.Default }));
            });
            return ExitCodes.Success;
        });
        plugins.Subcommands.Add(show);
        return plugins;
    }
}
