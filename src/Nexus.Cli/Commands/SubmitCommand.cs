using System.CommandLine;
using System.Text.Json;
using Nexus.Cli.Output;
using Nexus.Client;
using Spectre.Console;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus submit PLUGIN --args '{…}'</c>, or <c>nexus submit --file tasks.jsonl</c> for many.</summary>
internal static class SubmitCommand
{
    private static readonly Argument<string?> Plugin = new("plugin") { Description = "The plugin to run, e.g. text.wordcount", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> Args = new("--args", "-a") { Description = "The args: a JSON object, or @file.json" };
    private static readonly Option<string?> Queue = new("--queue", "-q") { Description = "Queue (default: the plugin's, else default)" };
    private static readonly Option<int?> Priority = new("--priority", "-p") { Description = "Higher runs first (default 0)" };
    private static readonly Option<string?> Delay = new("--delay") { Description = "Run later: 30s, 5m, 2h, 1d, 1h30m or PT30S" };
    private static readonly Option<string?> UniqueKey = new("--unique-key") { Description = "Idempotency key: a second submit returns the first task" };
    private static readonly Option<string[]> Tags = new("--tag", "-t") { Description = "A tag (repeat for more)" };
    private static readonly Option<int?> MaxAttempts = new("--max-attempts") { Description = "Attempts allowed, 1–1000 (default: the plugin's, else 25)" };
    private static readonly Option<bool> Wait = new("--wait", "-w") { Description = "Wait until the task finishes; exit 4 unless it succeeded" };
    private static readonly Option<FileInfo?> File = new("--file", "-f") { Description = "Submit many: one submit body per line (JSON lines); the options above are defaults for the lines" };
    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "Tasks per request with --file (1–1000)", DefaultValueFactory = _ => 500 };

    public static Command Create()
    {
        var command = new Command("submit", "Submit a task (or many from a JSON-lines file)")
        {
            Plugin, Args, Queue, Priority, Delay, UniqueKey, Tags, MaxAttempts, Wait, File, BatchSize,
        };
        command.Handle(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CliContext cli, CancellationToken cancellationToken)
    {
        var file = parse.GetValue(File);
        var plugin = parse.GetValue(Plugin);
        if (file is not null)
        {
            if (plugin is not null || parse.GetValue(Args) is not null || parse.GetValue(UniqueKey) is not null || parse.GetValue(Wait))
            {
                throw new CliUsageException("--file takes the plugin and args from each line; do not give a plugin, --args, --unique-key or --wait with it.");
            }
            return await FileSubmit.RunAsync(cli, file, Defaults(parse), parse.GetValue(BatchSize), cancellationToken);
        }
        if (plugin is null) throw new CliUsageException("Give the plugin to run (nexus submit text.wordcount --args '{…}'), or --file tasks.jsonl.");

        var task = Defaults(parse) with { Plugin = plugin, Args = ReadArgs(parse.GetValue(Args)) };
        var submitted = await cli.Client.Tasks.SubmitAsync(task.ToSubmission(), cancellationToken);
        if (!parse.GetValue(Wait))
        {
            cli.Printer.Show(submitted, CliJson.Default.SubmitResponse, o => o.MarkupLine(submitted.Created
                ? $"Submitted task [bold]{submitted.Id}[/] ({Format.E(plugin)})."
                : $"Task [bold]{submitted.Id}[/] already exists with that unique key; nothing new was submitted."));
            return ExitCodes.Success;
        }

        if (!cli.Json) cli.Printer.Err.MarkupLine($"Submitted task [bold]{submitted.Id}[/]; waiting for it to finish…");
        var done = await cli.Client.Tasks.WaitAsync(submitted.Id, TimeSpan.FromMilliseconds(100), cancellationToken);
        cli.Printer.Show(done, CliJson.Default.TaskResponse, o => TaskView.Show(o, done));
        if (done.State == TaskStates.Succeeded) return ExitCodes.Success;
        await Console.Error.WriteLineAsync($"error: task {done.Id} finished {done.State}" +
            (done.Errors.Count > 0 ? $": {CommandActions.OneLine(done.Errors[^1].Message)}" : "."));
        return ExitCodes.TaskFailed;
    }

    private static Draft Defaults(ParseResult parse)
    {
        var tags = parse.GetValue(Tags);
        return new Draft
        {
            Queue = parse.GetValue(Queue),
            Priority = parse.GetValue(Priority),
            Delay = parse.GetValue(Delay),
            UniqueKey = parse.GetValue(UniqueKey),
            Tags = tags is { Length: > 0 } ? tags : null,
            MaxAttempts = parse.GetValue(MaxAttempts),
        };
    }

    /// <summary>The args from <c>--args</c>: inline JSON, or <c>@path</c> to read a file. Absent: <c>{}</c>.</summary>
    internal static JsonElement ReadArgs(string? text)
    {
        var source = "--args";
        if (text is null) text = "{}";
        else if (text.StartsWith('@'))
        {
            var path = text[1..];
            if (!System.IO.File.Exists(path)) throw new CliUsageException($"--args: the file '{path}' does not exist.");
            source = path;
            text = System.IO.File.ReadAllText(path);
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliUsageException($"{source} must be a JSON object ({{\"name\": value, …}}), not a {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"{source} is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>A submission being put together from options (and, with --file, a line).</summary>
    internal sealed record Draft
    {
        public string? Plugin { get; init; }
        public JsonElement Args { get; init; }
        public string? Queue { get; init; }
        public int? Priority { get; init; }
        public string? Delay { get; init; }
        public string? UniqueKey { get; init; }
        public IReadOnlyList<string>? Tags { get; init; }
        public int? MaxAttempts { get; init; }

        public SubmitTaskRequest ToSubmission() => new(Plugin!, Args)
        {
            Queue = Queue, Priority = Priority, Delay = Delay, UniqueKey = UniqueKey, Tags = Tags, MaxAttempts = MaxAttempts,
        };

        /// <summary>A line's submission with the options' values where the line says nothing.</summary>
        public SubmitTaskRequest Fill(SubmitTaskRequest line) => line with
        {
            Queue = line.Queue ?? Queue,
            Priority = line.Priority ?? Priority,
            Delay = line.Delay ?? (line.RunAt is null && line.DelayMs is null ? Delay : null),
            Tags = line.Tags ?? Tags,
            MaxAttempts = line.MaxAttempts ?? MaxAttempts,
        };
    }
}
