using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus workflows ls|show|register|start|schema</c>.</summary>
internal static class WorkflowsCommand
{
    public static Command Create()
    {
        var workflows = new Command("workflows", "Register workflows (DAGs of steps) and start runs");
        workflows.Subcommands.Add(List());
        workflows.Subcommands.Add(Show());
        workflows.Subcommands.Add(Register());
        workflows.Subcommands.Add(Start());
        var schema = new Command("schema", "Print the JSON Schema of workflow definitions");
        schema.Handle(async (parse, cli, ct) =>
        {
            var json = await cli.Client.Workflows.SchemaAsync(ct);
            Console.Out.WriteLine(json.GetRawText());
            return ExitCodes.Success;
        });
        workflows.Subcommands.Add(schema);
        return workflows;
    }

    private static Command List()
    {
        var command = new Command("ls", "List workflows (the latest version of each)");
        command.Handle(async (parse, cli, ct) =>
        {
            var all = await cli.Client.Workflows.ListAsync(ct);
            cli.Printer.Show(all, CliJson.Default.IReadOnlyListWorkflowResponse, o =>
            {
                if (all.Count == 0)
                {
                    o.MarkupLine("[grey]No workflows are registered.[/]");
                    return;
                }
                var table = Format.Table("name", "version", "steps", "registered", "description");
                foreach (var w in all)
                {
                    var steps = w.Definition.TryGetProperty("steps", out var s) ? s.GetArrayLength() : 0;
                    var description = w.Definition.TryGetProperty("description", out var d) ? d.GetString() : null;
                    table.AddRow(Format.E(w.Name), w.Version.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture), Format.Time(w.CreatedAt), Format.E(description));
                }
                o.Write(table);
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The workflow" };
        var version = new Option<int?>("--version") { Description = "This version instead of the latest" };
        var command = new Command("show", "Show a workflow's definition as a graph") { name, version };
        command.Handle(async (parse, cli, ct) =>
        {
            var w = await cli.Client.Workflows.GetAsync(parse.GetValue(name)!, parse.GetValue(version), ct);
            cli.Printer.Show(w, CliJson.Default.WorkflowResponse, o =>
            {
                o.MarkupLine($"[bold]{Format.E(w.Name)}[/] v{w.Version}  registered {Format.Time(w.CreatedAt)}  sha256 {Format.E(w.Hash[..12])}…");
                var steps = w.Definition.GetProperty("steps").EnumerateArray().Select(s => new Nexus.Contracts.StepResponse(
                    s.GetProperty("id").GetString()!, s.TryGetProperty("kind", out var k) ? k.GetString()! : "task",
                    s.TryGetProperty("plugin", out var p) ? p.GetString() : null,
                    s.TryGetProperty("needs", out var n) ? [.. n.EnumerateArray().Select(x => x.GetString()!)] : [],
                    "defined", null, 0, null, null, null, null, null, null, null, null)).ToList();
                foreach (var line in RunView.Graph(steps)) o.MarkupLine(line.Replace("defined", "", StringComparison.Ordinal));
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Register()
    {
        var file = new Argument<string>("file") { Description = "The definition: a JSON file, or - for standard input" };
        var command = new Command("register", "Register a definition as the workflow's next version (validated; nothing is stored when it is wrong)") { file };
        command.Handle(async (parse, cli, ct) =>
        {
            var path = parse.GetValue(file)!;
            string json;
            if (path == "-") json = await Console.In.ReadToEndAsync(ct);
            else if (!File.Exists(path)) throw new CliUsageException($"file: '{path}' does not exist.");
            else json = await File.ReadAllTextAsync(path, ct);
            if (RunView.ReadJson(json, path) is not { ValueKind: System.Text.Json.JsonValueKind.Object }) throw new CliUsageException($"{path} must hold a JSON object (a workflow definition).");
            var w = await cli.Client.Workflows.RegisterAsync(json, ct);
            cli.Printer.Show(w, CliJson.Default.WorkflowResponse, o => o.MarkupLine(w.Created == false
                ? $"Workflow [bold]{Format.E(w.Name)}[/] is unchanged: still version {w.Version}."
                : $"Registered workflow [bold]{Format.E(w.Name)}[/] version {w.Version}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Start()
    {
        var name = new Argument<string>("name") { Description = "The workflow" };
        var input = new Option<string?>("--input", "-i") { Description = "The run's input: a JSON object, or @file.json" };
        var key = new Option<string?>("--key") { Description = "Idempotency key: a second start with it returns the first run" };
        var version = new Option<int?>("--version") { Description = "Run this version instead of the latest" };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait for the run to finish and show it; exit 4 unless it succeeded" };
        var command = new Command("start", "Start a run of a workflow") { name, input, key, version, wait };
        command.Handle(async (parse, cli, ct) =>
        {
            var body = RunView.ReadJson(parse.GetValue(input), "--input");
            if (body is { } b && b.ValueKind != System.Text.Json.JsonValueKind.Object) throw new CliUsageException("--input must be a JSON object.");
            var started = await cli.Client.Workflows.StartAsync(parse.GetValue(name)!, body, parse.GetValue(key), parse.GetValue(version), ct);
            if (!parse.GetValue(wait))
            {
                cli.Printer.Show(started, CliJson.Default.StartRunResponse, o => o.MarkupLine(started.Created
                    ? $"Started run [bold]{started.RunId}[/] (version {started.Version}). Follow it: nexus runs show {started.RunId}"
                    : $"Run [bold]{started.RunId}[/] already exists for that key."));
                return ExitCodes.Success;
            }
            var run = await cli.Client.Workflows.WaitAsync(started.RunId, cancellationToken: ct);
            cli.Printer.Show(run, CliJson.Default.RunResponse, o => RunView.Show(o, run));
            return run.State == "succeeded" ? ExitCodes.Success : ExitCodes.TaskFailed;
        });
        return command;
    }
}
