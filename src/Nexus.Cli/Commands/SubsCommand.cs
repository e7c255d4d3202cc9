using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus subs ls|show|add|rm|cursor</c>.</summary>
internal static class SubsCommand
{
    public static Command Create()
    {
        var subs = new Command("subs", "Subscriptions: list, show, add, remove, move the cursor (replay: nexus events replay)");
        subs.Subcommands.Add(List());
        subs.Subcommands.Add(Show());
        subs.Subcommands.Add(Add());
        subs.Subcommands.Add(Remove());
        subs.Subcommands.Add(Cursor());
        return subs;
    }

    private static Argument<string> Name() => new("name") { Description = "The subscription's name" };

    private static Command List()
    {
        var ns = EventsCommand.NamespaceArgument();
        var command = new Command("ls", "List a namespace's subscriptions") { ns };
        command.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Events.ListSubscriptionsAsync(parse.GetValue(ns)!, ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListSubscriptionResponse, o =>
            {
                var table = Format.Table("name", "pattern", "action", "target", "queue", "max del.", "cursor", "lag");
                foreach (var s in all) table.AddRow(Format.E(s.Name), Format.E(s.Pattern), Format.E(s.Action), Format.E(s.Target), Format.E(s.Queue), Format.Number(s.MaxDeliveries), Format.E(s.Cursor), Lag(s.Lag));
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var ns = EventsCommand.NamespaceArgument();
        var name = Name();
        var command = new Command("show", "Show one subscription") { ns, name };
        command.Handle(async (parse, cli, ct) =>
        {
            var s = await cli.Client.Events.GetSubscriptionAsync(parse.GetValue(ns)!, parse.GetValue(name)!, ct);
            cli.Printer.Show(s, CliJson.Default.SubscriptionResponse, o => Describe(o, s));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Add()
    {
        var ns = EventsCommand.NamespaceArgument();
        var name = Name();
        var pattern = new Argument<string>("pattern") { Description = "The topic pattern: * one segment, > the rest" };
        var plugin = new Option<string?>("--plugin") { Description = "Run this plugin per event (args from --args, a template)" };
        var consumer = new Option<bool>("--consumer") { Description = "Deliveries are read by external consumers over HTTP" };
        var workflow = new Option<string?>("--workflow") { Description = "Start a run of this workflow per event (input from --args, a template; default the payload)" };
        var args = new Option<string?>("--args") { Description = "The args template, JSON or @file: \"{{payload.id}}\" takes a value of the event" };
        var filter = new Option<string?>("--filter") { Description = "A filter over the event document, JSON or @file (docs/filters.md)" };
        var queue = new Option<string?>("--queue") { Description = "The queue of the deliveries (plugin)" };
        var max = new Option<int?>("--max-deliveries") { Description = "Deliveries per event before it is a dead letter (default 5)" };
        var from = new Option<string?>("--from") { Description = "Start: new (default), all, a position, or an ISO 8601 instant" };
        var ordered = new Option<bool>("--ordered-by-key") { Description = "Deliver events with the same key one at a time, in log order" };
        var command = new Command("add", "Create a subscription") { ns, name, pattern, plugin, consumer, workflow, args, filter, queue, max, from, ordered };
        command.Handle(async (parse, cli, ct) =>
        {
            var isConsumer = parse.GetValue(consumer);
            var target = parse.GetValue(plugin);
            var flow = parse.GetValue(workflow);
            if ((isConsumer ? 1 : 0) + (target is null ? 0 : 1) + (flow is null ? 0 : 1) != 1)
            {
                throw new CliUsageException("Give exactly one action: --plugin NAME, --workflow NAME or --consumer.");
            }
            var definition = new CreateSubscriptionRequest
            {
                Name = parse.GetValue(name)!,
                Pattern = parse.GetValue(pattern)!,
                Action = isConsumer ? "consumer" : flow is not null ? "workflow" : "plugin",
                Target = target ?? flow,
                ArgsTemplate = parse.GetValue(args) is { } a ? EventsCommand.ParseJson(a, "--args") : null,
                Filter = parse.GetValue(filter) is { } f ? EventsCommand.ParseJson(f, "--filter") : null,
                Queue = parse.GetValue(queue),
                MaxDeliveries = parse.GetValue(max),
                Start = Start(parse.GetValue(from), "--from"),
                OrderedByKey = parse.GetValue(ordered) ? true : null,
            };
            var made = await cli.Client.Events.SubscribeAsync(parse.GetValue(ns)!, definition, ct);
            cli.Printer.Show(made, CliJson.Default.SubscriptionResponse, o => Describe(o, made));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var ns = EventsCommand.NamespaceArgument();
        var name = Name();
        var command = new Command("rm", "Delete a subscription (deliveries already made stay)") { ns, name };
        command.Handle(async (parse, cli, ct) =>
        {
            await cli.Client.Events.UnsubscribeAsync(parse.GetValue(ns)!, parse.GetValue(name)!, ct);
            if (!cli.Printer.Json) cli.Printer.Line($"Subscription [bold]{Format.E(parse.GetValue(name))}[/] deleted.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Cursor()
    {
        var ns = EventsCommand.NamespaceArgument();
        var name = Name();
        var to = new Argument<string>("to") { Description = "new, all, a position, or an ISO 8601 instant" };
        var command = new Command("cursor", "Move a subscription's cursor; events after it are delivered (again)") { ns, name, to };
        command.Handle(async (parse, cli, ct) =>
        {
            var moved = await cli.Client.Events.MoveCursorAsync(parse.GetValue(ns)!, parse.GetValue(name)!, Start(parse.GetValue(to), "to")!, ct);
            cli.Printer.Show(moved, CliJson.Default.SubscriptionResponse, o => o.MarkupLine($"Cursor of [bold]{Format.E(moved.Name)}[/] is now {Format.E(moved.Cursor)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static SubscriptionStartRequest? Start(string? text, string option) => text switch
    {
        null => null,
        "new" or "all" => new SubscriptionStartRequest { Kind = text },
        _ when long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) => new SubscriptionStartRequest { Kind = "position", Position = p },
        _ => new SubscriptionStartRequest { Kind = "time", Time = EventsCommand.Instant(text, option) },
    };

    /// <summary><c>12 events, oldest 3.5 s</c>, <c>caught up</c>, or <c>-</c> when not known.</summary>
    private static string Lag(SubscriptionLagResponse? lag) => lag switch
    {
        null => "-",
        { Events: 0 } => "caught up",
        _ => Format.E(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{lag.Events} events, oldest {lag.AgeSeconds:0.#} s")),
    };

    private static void Describe(IAnsiConsole o, SubscriptionResponse s) =>
        o.MarkupLine($"Subscription [bold]{Format.E(s.Name)}[/] in {Format.E(s.Namespace)}: {Format.E(s.Pattern)} → {Format.E(s.Action)} {Format.E(s.Target ?? "")} (queue {Format.E(s.Queue)}, cursor {Format.E(s.Cursor)}{(s.OrderedByKey ? ", ordered by key" : "")})");
}
