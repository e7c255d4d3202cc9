using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus services ls|register|heartbeat|rm|invoke</c>.</summary>
internal static class ServicesCommand
{
    public static Command Create()
    {
        var services = new Command("services", "The service registry: instances, their health, registration");
        services.Subcommands.Add(List());
        services.Subcommands.Add(Register());
        services.Subcommands.Add(Heartbeat());
        services.Subcommands.Add(Remove());
        services.Subcommands.Add(Invoke());
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
            cli.Printer.Show(new ServiceListResponse(all), CliJson.Default.ServiceListResponse, o => Table(o, all));
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
            var instance = await cli.Client.Services.RegisterAsync(parse.GetValue(service)!, parse.GetValue(id)!, new ServiceRegistrationRequest
            {
                BaseUrl = parse.GetValue(url)!,
                HealthCheckPath = parse.GetValue(path),
                Capabilities = caps is { Length: > 0 } ? caps : null,
                Version = parse.GetValue(version),
                Ttl = parse.GetValue(ttl),
                CheckInterval = parse.GetValue(interval),
            }, ct);
            cli.Printer.Show(instance, CliJson.Default.ServiceInstanceResponse, o => o.MarkupLine(
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
            cli.Printer.Show(instance, CliJson.Default.ServiceInstanceResponse, o => o.MarkupLine($"Instance [bold]{Format.E(instance.Id)}[/] is {Health(instance.Health)}."));
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

    private static Command Invoke()
    {
        var service = new Argument<string>("name") { Description = "The service's name" };
        var path = new Argument<string>("path") { Description = "The path below the instance's base URL, with an optional query (e.g. invoices/42?draft=1)" };
        var method = new Option<string?>("--method", "-X") { Description = "GET (default), POST, PUT or DELETE" };
        var data = new Option<string?>("--data", "-d") { Description = "The body: text, or @file (sent as JSON when it parses as JSON)" };
        var timeout = new Option<string?>("--timeout") { Description = "The invoke's timeout, e.g. 5s or 500ms (default the server's 30s)" };
        var capability = new Option<string[]>("--capability", "-c") { Description = "Only choose instances with this capability (repeat: all must match)" };
        var header = new Option<string[]>("--header", "-H") { Description = "A header to forward, 'Name: value' (repeat for more)" };
        var command = new Command("invoke", "Forward a request to a healthy, least-loaded instance and print its answer") { service, path, method, data, timeout, capability, header };
        command.Handle(async (parse, cli, ct) =>
        {
            var verb = (parse.GetValue(method) ?? "GET").ToUpperInvariant() switch
            {
                "GET" => HttpMethod.Get,
                "POST" => HttpMethod.Post,
                "PUT" => HttpMethod.Put,
                "DELETE" => HttpMethod.Delete,
                var other => throw new CliUsageException($"--method: '{other}' is not forwarded; use GET, POST, PUT or DELETE."),
            };
            TimeSpan? limit = null;
            if (parse.GetValue(timeout) is { } t)
            {
                limit = Duration(t) ?? throw new CliUsageException($"--timeout: '{t}' is not a duration such as 5s, 500ms or 2m.");
            }
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var h in parse.GetValue(header) ?? [])
            {
                var colon = h.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) throw new CliUsageException($"--header: '{h}' is not 'Name: value'.");
                headers[h[..colon].Trim()] = h[(colon + 1)..].Trim();
            }
            var target = parse.GetValue(path)!;
            foreach (var c in parse.GetValue(capability) ?? [])
            {
                target += (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "nexus-capability=" + Uri.EscapeDataString(c);
            }
            using var body = Body(parse.GetValue(data));
            var answer = await cli.Client.Services.InvokeAsync(parse.GetValue(service)!, target, verb, body, limit, headers, ct);
            if (cli.Json) cli.Printer.WriteJson(new InvokeReport(answer.Status, answer.Instance, answer.ContentType, answer.Text), CliJson.Default.InvokeReport);
            else
            {
                await Console.Out.WriteAsync(answer.Text);
                if (answer.Text.Length > 0 && !answer.Text.EndsWith('\n')) await Console.Out.WriteLineAsync();
            }
            if (answer.IsSuccess) return ExitCodes.Success;
            await Console.Error.WriteLineAsync($"error: instance '{answer.Instance}' of {parse.GetValue(service)} answered {answer.Status}.");
            return ExitCodes.Refused;
        });
        return command;
    }

    /// <summary><c>500ms</c>, <c>5s</c>, <c>2m</c> (above zero), or null.</summary>
    private static TimeSpan? Duration(string text)
    {
        var unit = text.EndsWith("ms", StringComparison.Ordinal) ? "ms" : text.Length > 0 && text[^1] is 's' or 'm' ? text[^1..] : null;
        if (unit is null || !long.TryParse(text[..^unit.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) return null;
        return unit switch { "ms" => TimeSpan.FromMilliseconds(n), "s" => TimeSpan.FromSeconds(n), _ => TimeSpan.FromMinutes(n) };
    }

    private static StringContent? Body(string? data)
    {
        if (data is null) return null;
        if (data.StartsWith('@'))
        {
            var file = data[1..];
            if (!File.Exists(file)) throw new CliUsageException($"--data: the file '{file}' does not exist.");
            data = File.ReadAllText(file);
        }
        var json = true;
        try
        {
            using var _ = System.Text.Json.JsonDocument.Parse(data);
        }
        catch (System.Text.Json.JsonException)
        {
            json = false;
        }
        return new StringContent(data, System.Text.Encoding.UTF8, json ? "application/json" : "text/plain");
    }

    private static string Health(string health) => health switch
    {
        "healthy" => "[green]healthy[/]",
        "critical" => "[red]critical[/]",
        _ => $"[yellow]{Format.E(health)}[/]",
    };

    private static void Table(IAnsiConsole o, IReadOnlyList<ServiceInstanceResponse> all)
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
