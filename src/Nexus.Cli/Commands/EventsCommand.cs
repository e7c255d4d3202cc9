using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus events emit|tail|replay|namespaces|ns-add|dead</c>.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var events = new Command("events", "Events: emit, follow the log, replay to a subscription, namespaces, dead letters");
        events.Subcommands.Add(Emit());
        events.Subcommands.Add(Tail());
        events.Subcommands.Add(Replay());
        events.Subcommands.Add(Namespaces());
        events.Subcommands.Add(AddNamespace());
        events.Subcommands.Add(DeadLetters());
        return events;
    }

    internal static Argument<string> NamespaceArgument() => new("namespace") { Description = "The namespace (e.g. default)" };

    /// <summary>JSON given inline or as <c>@file</c>; a text that is not JSON is refused naming the option.</summary>
    internal static JsonElement ParseJson(string text, string option)
    {
        var json = text.StartsWith('@') ? ReadFile(text[1..], option) : text;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{option} is not valid JSON: {CommandActions.OneLine(ex.Message)}");
        }
    }

    private static string ReadFile(string path, string option)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"{option}: cannot read '{path}': {ex.Message}");
        }
    }

    private static Command Emit()
    {
        var ns = NamespaceArgument();
        var topic = new Argument<string>("topic") { Description = "The topic, e.g. orders.created" };
        var payload = new Argument<string>("payload") { Description = "The payload: JSON, or @file.json", Arity = ArgumentArity.ZeroOrOne };
        var key = new Option<string?>("--key") { Description = "The event's key" };
        var priority = new Option<string?>("--priority") { Description = "low, normal (default), high or critical" };
        var idem = new Option<string?>("--idempotency-key") { Description = "Unique per namespace: repeating it appends nothing" };
        var count = new Option<int?>("--repeat") { Description = "Emit the same event this many times in one call (1–10000)" };
        var command = new Command("emit", "Emit an event (or --repeat N of them in one call)") { ns, topic, payload, key, priority, idem, count };
        command.Handle(async (parse, cli, ct) =>
        {
            var body = ParseJson(parse.GetValue(payload) ?? "{}", "payload");
            var times = parse.GetValue(count) ?? 1;
            if (times is < 1 or > 10_000) throw new CliUsageException($"--repeat must be 1–10000 (was {times}).");
            var e = new EmitEventRequest { Topic = parse.GetValue(topic)!, Payload = body, Key = parse.GetValue(key), Priority = parse.GetValue(priority), IdempotencyKey = parse.GetValue(idem) };
            var results = await cli.Client.Events.EmitAsync(parse.GetValue(ns)!, [.. Enumerable.Repeat(e, times)], ct);
            cli.Printer.Show(results, CliJson.Default.IReadOnlyListEmittedEvent, o =>
            {
                foreach (var r in results) o.MarkupLine(r.Created ? $"Emitted at position [bold]{r.Position}[/]." : $"Already emitted (idempotency key) at position [bold]{r.Position}[/].");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Tail()
    {
        var ns = NamespaceArgument();
        var pattern = new Option<string?>("--pattern", "-p") { Description = "Only topics matching this pattern (orders.*, orders.>)" };
        var from = new Option<string?>("--after") { Description = "Start after this cursor or position (default: the start of the log)" };
        var count = new Option<int?>("--count", "-n") { Description = "Stop after this many events (default: follow until Ctrl+C)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new events (default when --count is not given)" };
        var command = new Command("tail", "Print the log's events in order, following new ones (--json: one event per line)") { ns, pattern, from, count, follow };
        command.Handle(async (parse, cli, ct) =>
        {
            var name = parse.GetValue(ns)!;
            var max = parse.GetValue(count);
            if (max is < 1) throw new CliUsageException($"--count must be 1 or more (was {max}).");
            var keepGoing = parse.GetValue(follow) || max is null;
            var cursor = parse.GetValue(from);
            var shown = 0;
            while (!ct.IsCancellationRequested)
            {
                var page = await cli.Client.Events.ReadAsync(name, cursor, 500, parse.GetValue(pattern), ct);
                foreach (var e in page.Events)
                {
                    if (cli.Printer.Json) WriteLine(e);
                    else cli.Printer.Line($"[grey]{e.Position}[/] {Format.Time(e.Time)} [bold]{Format.E(e.Topic)}[/] {(e.Key is null ? "" : $"[blue]{Format.E(e.Key)}[/] ")}{Format.E(e.Payload.GetRawText())}");
                    if (++shown == max) return ExitCodes.Success;
                }
                cursor = page.Next;
                if (page.Events.Count == 0)
                {
                    if (!keepGoing) return ExitCodes.Success;
                    await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One event per line (JSON Lines), so that a follower can be piped.</summary>
    private static void WriteLine(EventResponse e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) JsonSerializer.Serialize(writer, e, CliJson.Default.EventResponse);
        Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static Command Replay()
    {
        var ns = NamespaceArgument();
        var sub = new Argument<string>("subscription") { Description = "The subscription to deliver to" };
        var from = new Option<long?>("--from") { Description = "First position (inclusive)" };
        var to = new Option<long?>("--to") { Description = "Last position (inclusive)" };
        var since = new Option<string?>("--since") { Description = "From this instant (ISO 8601)" };
        var until = new Option<string?>("--until") { Description = "Before this instant (ISO 8601)" };
        var id = new Option<string?>("--replay-id") { Description = "Names the replay: repeating it delivers nothing twice" };
        var max = new Option<int?>("--max") { Description = "Most events (default 1000)" };
        var command = new Command("replay", "Deliver a range of events (positions or times) to one subscription again") { ns, sub, from, to, since, until, id, max };
        command.Handle(async (parse, cli, ct) =>
        {
            var range = new ReplayEventsRequest
            {
                FromPosition = parse.GetValue(from),
                ToPosition = parse.GetValue(to),
                FromTime = Instant(parse.GetValue(since), "--since"),
                ToTime = Instant(parse.GetValue(until), "--until"),
                ReplayId = parse.GetValue(id),
                Max = parse.GetValue(max),
            };
            if (range is { FromPosition: null, ToPosition: null, FromTime: null, ToTime: null }) throw new CliUsageException("Give a range: --from/--to positions or --since/--until times.");
            var result = await cli.Client.Events.ReplayAsync(parse.GetValue(ns)!, parse.GetValue(sub)!, range, ct);
            cli.Printer.Show(result, CliJson.Default.ReplayResponse, o =>
                o.MarkupLine($"Replay [bold]{Format.E(result.ReplayId)}[/]: {result.Events} events selected, {result.Deliveries} deliveries made."));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static DateTimeOffset? Instant(string? text, string option) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
        : throw new CliUsageException($"{option} must be an ISO 8601 instant, e.g. 2030-01-01T12:00:00Z (was '{text}').");

    private static Command Namespaces()
    {
        var command = new Command("namespaces", "List the namespaces you may use");
        command.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Events.ListNamespacesAsync(ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListNamespaceResponse, o =>
            {
                var table = Format.Table("namespace", "description", "created");
                foreach (var n in all) table.AddRow(Format.E(n.Name), Format.E(n.Description), Format.Time(n.CreatedAt));
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command AddNamespace()
    {
        var name = new Argument<string>("name") { Description = "1–64 lower-case letters, digits, '_' or '-'" };
        var description = new Option<string?>("--description") { Description = "What it is for" };
        var command = new Command("ns-add", "Create a namespace") { name, description };
        command.Handle(async (parse, cli, ct) =>
        {
            var made = await cli.Client.Events.CreateNamespaceAsync(parse.GetValue(name)!, parse.GetValue(description), ct);
            cli.Printer.Show(made, CliJson.Default.NamespaceResponse, o => o.MarkupLine($"Namespace [bold]{Format.E(made.Name)}[/] is ready."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeadLetters()
    {
        var ns = NamespaceArgument();
        var command = new Command("dead", "A namespace's dead letters: events a subscription gave up on") { ns };
        command.Handle(async (parse, cli, ct) =>
        {
            var letters = await cli.Client.Events.ListDeadLettersAsync(parse.GetValue(ns)!, null, ct);
            cli.Printer.Show(letters, CliJson.Default.IReadOnlyListEventDeadLetterResponse, o =>
            {
                var table = Format.Table("position", "topic", "subscription", "deliveries", "reason", "when");
                foreach (var l in letters) table.AddRow(Format.Id(l.Position), Format.E(l.Topic), Format.E(l.Subscription), Format.Number(l.Deliveries), Format.E(l.Reason), Format.Time(l.CreatedAt));
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
