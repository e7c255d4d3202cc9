using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus services ls|register|heartbeat|rm</c>.</summary>
internal static class ServicesCommand
{
    public static Command Create()
    {
        var services = new Command("services", "The service registry: instances, their health, registration");
        services.Subcommands.Add(List());
        services.Subcommands.Add(Register());
        services.Subcommands.Add(Heartbeat());
        services.Subcommands.Add(Remove());
        return services;
    }

    private static Command List()
    {
        var service = new Option<string?>("--service", "-s") { Description = "Only this service's instances" };
        var capability = new Option<string[]>("--capability", "-c") { Description = "Only instances with this capability (repeat: all must match)" };
        var health = new Option<string?>("--health") { Description = "starting, healthy or critical" };
        var command = new Command("ls", "List service instances with their health") { service, capability, health };
        command.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Services.ListAsync(parse.GetValue(service), parse.GetValue(capability), parse.GetValue(health), ct);
            cli.Printer.Show(new ServiceInstanceList(all), CliJson.Default.ServiceInstanceList, o => Table(o, all));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Register()
    {
        var service = new Argument<string>("service") { Description = "The service's name" };
        var id = new Argument<string>("id") { Description = "This instance's id" };
        var url = new Option<string>("--url") { Description = "Base URL invokes are forwarded to", Required = true };
        var path = new Option<string?>("--health-path") { Description = "Path Nexus checks over HTTP (e.g. /health); without it the instance heartbeats (TTL)" };
        var capability = new Option<string[]>("--capability", "-c") { Description = "A capability (repeat for more)" };
        var version = new Option<string?>("--version-text") { Description = "Version text" };
        var ttl = new Option<string?>("--ttl") { Description = "TTL between heartbeats, e.g. 30s" };
        var interval = new Option<string?>("--interval") { Description = "Time between HTTP checks, e.g. 10s" };
        var command = new Command("register", "Register (or re-register) a service instance") { service, id, url, path, capability, version, ttl, interval };
        command.Handle(async (parse, cli, ct) =>
        {
            var caps = parse.GetValue(capability);
            var instance = await cli.Client.Services.RegisterAsync(parse.GetValue(service)!, parse.GetValue(id)!, new ServiceRegistration
            {
                BaseUrl = parse.GetValue(url)!,
                HealthCheckPath = parse.GetValue(path),
                Capabilities = caps is { Length: > 0 } ? caps : null,
                Version = parse.GetValue(version),
                Ttl = parse.GetValue(ttl),
                CheckInterval = parse.GetValue(interval),
            }, ct);
            cli.Printer.Show(instance, CliJson.Default.ServiceInstanceInfo, o => o.MarkupLine(
                $"Instance [bold]{Format.E(instance.Id)}[/] of [bold]{Format.E(instance.Service)}[/] registered ({Format.E(instance.Check)} checks); it is {Health(instance.Health)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Heartbeat()
    {
        var service = new Argument<string>("service") { Description = "The service's name" };
        var id = new Argument<string>("id") { Description = "The instance id" };
        var command = new Command("heartbeat", "Send a TTL heartbeat for an instance") { service, id };
        command.Handle(async (parse, cli, ct) =>
        {
            var instance = await cli.Client.Services.HeartbeatAsync(parse.GetValue(service)!, parse.GetValue(id)!, ct);
            cli.Printer.Show(instance, CliJson.Default.ServiceInstanceInfo, o => o.MarkupLine($"Instance [bold]{Format.E(instance.Id)}[/] is {Health(instance.Health)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var service = new Argument<string>("service") { Description = "The service's name" };
        var id = new Argument<string>("id") { Description = "The instance id" };
        var command = new Command("rm", "Deregister an instance") { service, id };
        command.Handle(async (parse, cli, ct) =>
        {
            var s = parse.GetValue(service)!;
            var i = parse.GetValue(id)!;
            await cli.Client.Services.DeregisterAsync(s, i, ct);
            cli.Printer.Show(new DeletedScheduleReport($"{s}/{i}", true), CliJson.Default.DeletedScheduleReport, o => o.MarkupLine($"Instance [bold]{Format.E(i)}[/] of {Format.E(s)} deregistered."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Health(string health) => health switch
    {
        "healthy" => "[green]healthy[/]",
        "critical" => "[red]critical[/]",
        _ => $"[yellow]{Format.E(health)}[/]",
    };

    private static void Table(IAnsiConsole o, IReadOnlyList<ServiceInstanceInfo> all)
    {
        if (all.Count == 0)
        {
            o.MarkupLine("[grey]No service instances: nexus services register NAME ID --url http://… --health-path /health.[/]");
            return;
        }
        var table = Format.Table("service", "instance", "health", "check", "url", "capabilities", "in flight", "last seen", "last error");
        foreach (var i in all)
        {
            table.AddRow(Format.E(i.Service), Format.E(i.Id), Health(i.Health), Format.E(i.Check), Format.E(i.BaseUrl), Format.E(Format.List(i.Capabilities)),
                i.InFlight.ToString(CultureInfo.InvariantCulture), Format.Time(i.LastSeenAt), Format.E(i.LastError));
        }
        o.Write(table);
    }
}
