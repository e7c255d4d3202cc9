using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus schedules ls|show|add|pause|resume|next|history|rm</c>.</summary>
internal static class SchedulesCommand
{
    public static Command Create()
    {
        var schedules = new Command("schedules", "Cron schedules: add, pause, resume, preview the next slots, history");
        var list = new Command("ls", "List schedules");
        list.Handle(async (parse, cli, ct) =>
        {
            var page = await cli.Client.Schedules.ListAsync(limit: 1000, cancellationToken: ct);
            cli.Printer.Show(page, CliJson.Default.ScheduleListResponse, o => Table(o, page.Items));
            return ExitCodes.Success;
        });
        schedules.Subcommands.Add(list);
        schedules.Subcommands.Add(Show());
        schedules.Subcommands.Add(Add());
        schedules.Subcommands.Add(Pause());
        schedules.Subcommands.Add(Resume());
        schedules.Subcommands.Add(Next());
        schedules.Subcommands.Add(History());
        schedules.Subcommands.Add(Remove());
        return schedules;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The schedule's name" };

    private static Command Show()
    {
        var name = NameArgument();
        var command = new Command("show", "Show one schedule") { name };
        command.Handle(async (parse, cli, ct) =>
        {
            var s = await cli.Client.Schedules.GetAsync(parse.GetValue(name)!, ct);
            cli.Printer.Show(s, CliJson.Default.ScheduleResponse, o => Describe(o, s));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Add()
    {
        var name = NameArgument();
        var cron = new Option<string>("--cron") { Description = "Cron: 5 fields, 6 with seconds first, or @hourly etc.", Required = true };
        var zone = new Option<string?>("--tz") { Description = "IANA time zone (default UTC), e.g. Europe/Berlin" };
        var plugin = new Option<string?>("--plugin") { Description = "Target: submit this plugin's task at each slot" };
        var args = new Option<string?>("--args", "-a") { Description = "The task's args: a JSON object, or @file.json" };
        var queue = new Option<string?>("--queue", "-q") { Description = "The task's queue (default: the plugin's)" };
        var target = new Option<string?>("--target") { Description = "The target as JSON instead of --plugin: {\"task\":{…}}, {\"event\":{…}} or {\"workflow\":{…}}" };
        var emit = new Option<string?>("--emit") { Description = "Target: append an event at each slot, NAMESPACE/TOPIC (payload from --payload)" };
        var payload = new Option<string?>("--payload") { Description = "The event's payload: any JSON value, or @file (default {})" };
        var workflow = new Option<string?>("--workflow") { Description = "Target: start a run of this workflow at each slot (input from --input)" };
        var input = new Option<string?>("--input") { Description = "The run's input: a JSON object, or @file (default {})" };
        var misfire = new Option<string?>("--misfire") { Description = "skip, fire-once (default) or fire-all" };
        var catchUp = new Option<string?>("--catch-up") { Description = "How far back fire-all catches up, e.g. 2h (default 1h)" };
        var overlap = new Option<string?>("--overlap") { Description = "skip, buffer-one, allow-all (default) or cancel-previous" };
        var description = new Option<string?>("--description") { Description = "Free text" };
        var command = new Command("add", "Create or replace a schedule") { name, cron, zone, plugin, args, queue, target, emit, payload, workflow, input, misfire, catchUp, overlap, description };
        command.Handle(async (parse, cli, ct) =>
        {
            var raw = parse.GetValue(target);
            var p = parse.GetValue(plugin);
            var e = parse.GetValue(emit);
            var w = parse.GetValue(workflow);
            if (new[] { raw, p, e, w }.Count(x => x is not null) != 1)
            {
                throw new CliUsageException("Give one target: --plugin NAME (with --args, --queue), --emit NAMESPACE/TOPIC (with --payload), --workflow NAME (with --input) or --target '{\"task\":{…}}'.");
            }
            JsonElement element;
            if (e is not null)
            {
                var slash = e.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || slash == e.Length - 1) throw new CliUsageException($"--emit: '{e}' is not NAMESPACE/TOPIC (e.g. shop/report.due).");
                element = ScheduleTargets.Event(e[..slash], e[(slash + 1)..], JsonText(parse.GetValue(payload), "--payload", "{}"));
            }
            else if (w is not null)
            {
                element = ScheduleTargets.Workflow(w, JsonText(parse.GetValue(input), "--input", "{}"));
            }
            else if (raw is not null)
            {
                try
                {
                    using var document = JsonDocument.Parse(raw);
                    element = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    throw new CliUsageException($"--target is not valid JSON: {ex.Message}");
                }
            }
            else
            {
                element = ScheduleTargets.Task(p!, SubmitCommand.ReadArgs(parse.GetValue(args)).GetRawText(), parse.GetValue(queue));
            }
            var s = await cli.Client.Schedules.PutAsync(parse.GetValue(name)!, new ScheduleRequest
            {
                Cron = parse.GetValue(cron)!,
                TimeZone = parse.GetValue(zone),
                Target = element,
                Misfire = parse.GetValue(misfire),
                CatchUpWindow = parse.GetValue(catchUp),
                Overlap = parse.GetValue(overlap),
                Description = parse.GetValue(description),
            }, ct);
            cli.Printer.Show(s, CliJson.Default.ScheduleResponse, o => o.MarkupLine($"Schedule [bold]{Format.E(s.Name)}[/] saved; next slot {Format.Time(s.NextFireAt)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A JSON option's text (inline or <c>@file</c>), checked to parse; <paramref name="fallback"/> when absent.</summary>
    private static string JsonText(string? text, string option, string fallback)
    {
        if (text is null) return fallback;
        if (text.StartsWith('@'))
        {
            var file = text[1..];
            if (!File.Exists(file)) throw new CliUsageException($"{option}: the file '{file}' does not exist.");
            text = File.ReadAllText(file);
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.GetRawText();
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{option} is not valid JSON: {ex.Message}");
        }
    }

    private static Command Pause()
    {
        var name = NameArgument();
        var reason = new Option<string?>("--reason") { Description = "Why (shown in ls and show)" };
        var until = new Option<string?>("--until") { Description = "Resume by itself at this time (ISO 8601, e.g. 2030-01-01T08:00:00Z)" };
        var command = new Command("pause", "Pause a schedule") { name, reason, until };
        command.Handle(async (parse, cli, ct) =>
        {
            DateTimeOffset? resumeAt = null;
            if (parse.GetValue(until) is { } text)
            {
                resumeAt = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? at
                    : throw new CliUsageException($"--until must be an ISO 8601 time such as 2030-01-01T08:00:00Z (was '{text}').");
            }
            var s = await cli.Client.Schedules.PauseAsync(parse.GetValue(name)!, parse.GetValue(reason), resumeAt, ct);
            cli.Printer.Show(s, CliJson.Default.ScheduleResponse, o => o.MarkupLine($"Schedule [bold]{Format.E(s.Name)}[/] is [yellow]paused[/]{(s.ResumeAt is { } r ? $" until {Format.Time(r)}" : "")}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Resume()
    {
        var name = NameArgument();
        var command = new Command("resume", "Resume a schedule (missed slots follow its misfire policy)") { name };
        command.Handle(async (parse, cli, ct) =>
        {
            var s = await cli.Client.Schedules.ResumeAsync(parse.GetValue(name)!, ct);
            cli.Printer.Show(s, CliJson.Default.ScheduleResponse, o => o.MarkupLine($"Schedule [bold]{Format.E(s.Name)}[/] is [green]running[/]; next slot {Format.Time(s.NextFireAt)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Next()
    {
        var name = NameArgument();
        var count = new Option<int>("--count", "-n") { Description = "How many slots (1–1000)", DefaultValueFactory = _ => 10 };
        var command = new Command("next", "Preview a schedule's next slots") { name, count };
        command.Handle(async (parse, cli, ct) =>
        {
            var slots = await cli.Client.Schedules.NextAsync(parse.GetValue(name)!, parse.GetValue(count), ct);
            cli.Printer.Show(new ScheduleNextResponse(slots), CliJson.Default.ScheduleNextResponse, o =>
            {
                foreach (var slot in slots) o.MarkupLine(Format.E(slot.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)));
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History()
    {
        var name = NameArgument();
        var limit = new Option<int>("--limit") { Description = "Most fires (1–1000)", DefaultValueFactory = _ => 20 };
        var command = new Command("history", "A schedule's fires, newest first") { name, limit };
        command.Handle(async (parse, cli, ct) =>
        {
            var fires = await cli.Client.Schedules.HistoryAsync(parse.GetValue(name)!, parse.GetValue(limit), ct);
            cli.Printer.Show(new ScheduleHistoryResponse(fires), CliJson.Default.ScheduleHistoryResponse, o =>
            {
                var table = Format.Table("slot", "outcome", "task", "slots", "node", "detail");
                foreach (var f in fires)
                {
                    table.AddRow(Format.Time(f.Slot), Format.E(f.Outcome), f.TaskId is { } id ? Format.Id(id) : "-", Format.Number(f.Count), Format.E(f.Node), Format.E(f.Detail));
                }
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = NameArgument();
        var command = new Command("rm", "Delete a schedule and its history (its tasks stay)") { name };
        command.Handle(async (parse, cli, ct) =>
        {
            var n = parse.GetValue(name)!;
            await cli.Client.Schedules.DeleteAsync(n, ct);
            cli.Printer.Show(new DeletedScheduleReport(n, true), CliJson.Default.DeletedScheduleReport, o => o.MarkupLine($"Schedule [bold]{Format.E(n)}[/] deleted."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Describe(IAnsiConsole o, ScheduleResponse s)
    {
        o.MarkupLine($"[bold]{Format.E(s.Name)}[/]  {Format.E(s.Cron)} ({Format.E(s.TimeZone)})  {(s.Paused ? "[yellow]paused[/]" : "[green]running[/]")}");
        if (s.Paused) o.MarkupLine($"  reason: {Format.E(s.PauseReason)}; resumes: {Format.Time(s.ResumeAt)}");
        o.MarkupLine($"  target: {Format.E(s.Target.GetRawText())}");
        o.MarkupLine($"  misfire: {Format.E(s.Misfire)}; overlap: {Format.E(s.Overlap)}; next: {Format.Time(s.NextFireAt)}; last task: {(s.LastTaskId is { } id ? Format.Id(id) : "-")}");
    }

    private static void Table(IAnsiConsole o, IReadOnlyList<ScheduleResponse> items)
    {
        if (items.Count == 0)
        {
            o.MarkupLine("[grey]No schedules yet: nexus schedules add NAME --cron '0 * * * *' --plugin PLUGIN.[/]");
            return;
        }
        var table = Format.Table("name", "cron", "zone", "target", "status", "next", "misfire", "overlap");
        foreach (var s in items)
        {
            var kind = s.Target.EnumerateObject().FirstOrDefault().Name ?? "?";
            table.AddRow(Format.E(s.Name), Format.E(s.Cron), Format.E(s.TimeZone), Format.E(kind), s.Paused ? $"[yellow]paused[/] {Format.E(s.PauseReason)}" : "[green]running[/]",
                Format.Time(s.NextFireAt), Format.E(s.Misfire), Format.E(s.Overlap));
        }
        o.Write(table);
    }
}
