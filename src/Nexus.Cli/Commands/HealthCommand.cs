using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus health</c>: is the server alive and ready (store reachable and migrated)? Exit 1 when not ready.</summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var command = new Command("health", "Check that the server answers and its store is ready");
        command.Handle(async (parse, cli, ct) =>
        {
            var alive = await cli.Client.HealthAsync(ct);
            var ready = await cli.Client.ReadyAsync(ct);
            ServerInfoResponse? info = null;
            try
            {
                info = await cli.Client.ServerInfoAsync(ct);
            }
            catch (NexusApiException)
            {
                // Without credentials the server still tells liveness and readiness; the rest is optional here.
            }
            var report = new HealthReport(cli.Client.BaseAddress.AbsoluteUri, alive, ready, info);
            cli.Printer.Show(report, CliJson.Default.HealthReport, o =>
            {
                o.MarkupLine($"{Format.E(report.Server)}: [green]{Format.E(alive.Status)}[/], " +
                    (ready.IsReady ? "[green]ready[/]" : "[red]not ready[/]") +
                    $" ({Format.E(ready.Store)}, schema {ready.SchemaVersion} of {ready.ExpectedVersion})");
                if (info is not null) o.MarkupLine($"Nexus {Format.E(info.Version)}, node {Format.E(info.NodeId)}{(info.RunsWorkers ? "" : " (no workers)")}");
            });
            if (ready.IsReady) return ExitCodes.Success;
            await Console.Error.WriteLineAsync($"error: the server is not ready{(ready.Error is null ? "" : ": " + CommandActions.OneLine(ready.Error))}");
            return ExitCodes.Refused;
        });
        return command;
    }
}
