using System.CommandLine;
using System.Globalization;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus runs ls|show|wait|cancel|retry|pause|resume|signal|artifacts|download|logs</c>.</summary>
internal static class RunsCommand
{
    private static readonly string[] States = ["running", "succeeded", "failed", "compensating", "compensated", "compensationFailed", "cancelled"];

    public static Command Create()
    {
        var runs = new Command("runs", "Workflow runs: list, show as a graph, wait, cancel, retry, pause, resume, signal, artifacts, download, logs");
        runs.Subcommands.Add(List());
        runs.Subcommands.Add(Show("show", "Show a run and its steps as a graph", wait: false));
        runs.Subcommands.Add(Show("wait", "Wait for a run to finish and show it; exit 4 unless it succeeded", wait: true));
        runs.Subcommands.Add(Action("cancel", "Cancel a run (its running steps are asked to stop)", (c, id, ct) => c.Workflows.CancelAsync(id, ct)));
        runs.Subcommands.Add(Action("retry", "Retry a failed, compensated or cancelled run from its failed steps", (c, id, ct) => c.Workflows.RetryAsync(id, ct)));
        runs.Subcommands.Add(Action("pause", "Pause a run: running steps finish, no new step starts", (c, id, ct) => c.Workflows.PauseAsync(id, ct)));
        runs.Subcommands.Add(Action("resume", "Resume a paused run", (c, id, ct) => c.Workflows.ResumeAsync(id, ct)));
        runs.Subcommands.Add(Signal());
        runs.Subcommands.Add(RunFilesCommand.Artifacts());
        runs.Subcommands.Add(RunFilesCommand.Download());
        runs.Subcommands.Add(RunFilesCommand.Logs());
        return runs;
    }

    private static Argument<long> RunId() => new("id") { Description = "The run id" };

    private static Command List()
    {
        var workflow = new Option<string?>("--workflow") { Description = "Only runs of this workflow" };
        var state = new Option<string?>("--state", "-s") { Description = "Only runs in this state" };
        state.AcceptOnlyFromAmong(States);
        var limit = new Option<int?>("--limit", "-n") { Description = "Most runs to show (1–1000, default 50)" };
        var before = new Option<string?>("--before") { Description = "Runs older than this id (the previous page's next)" };
        var command = new Command("ls", "List runs, newest first") { workflow, state, limit, before };
        command.Handle(async (parse, cli, ct) =>
        {
            var page = await cli.Client.Workflows.ListRunsAsync(parse.GetValue(workflow), parse.GetValue(state), parse.GetValue(before), parse.GetValue(limit), ct);
            cli.Printer.Show(page, CliJson.Default.RunListResponse, o =>
            {
                if (page.Items.Count == 0)
                {
                    o.MarkupLine("[grey]No runs.[/]");
                    return;
                }
                var table = Format.Table("id", "workflow", "version", "state", "started", "finished", "error");
                foreach (var r in page.Items)
                {
                    table.AddRow(Format.Id(r.Id), Format.E(r.Workflow), r.Version.ToString(CultureInfo.InvariantCulture),
                        RunView.State(r.State) + (r.Paused ? " [yellow](paused)[/]" : ""), Format.Time(r.CreatedAt), Format.Time(r.FinishedAt), Format.E(r.Error));
                }
                o.Write(table);
                if (page.Next is not null) o.MarkupLine($"[grey]More: --before {Format.E(page.Next)}[/]");
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(string name, string description, bool wait)
    {
        var id = RunId();
        var command = new Command(name, description) { id };
        command.Handle(async (parse, cli, ct) =>
        {
            var run = wait
                ? await cli.Client.Workflows.WaitAsync(parse.GetValue(id), cancellationToken: ct)
                : await cli.Client.Workflows.GetRunAsync(parse.GetValue(id), ct);
            cli.Printer.Show(run, CliJson.Default.RunResponse, o => RunView.Show(o, run));
            return !wait || run.State == "succeeded" ? ExitCodes.Success : ExitCodes.TaskFailed;
        });
        return command;
    }

    private static Command Action(string name, string description, Func<NexusClient, long, CancellationToken, Task<RunResponse>> act)
    {
        var id = RunId();
        var command = new Command(name, description) { id };
        command.Handle(async (parse, cli, ct) =>
        {
            var run = await act(cli.Client, parse.GetValue(id), ct);
            cli.Printer.Show(run, CliJson.Default.RunResponse, o => o.MarkupLine($"Run [bold]{run.Id}[/] is {RunView.State(run.State)}{(run.Paused ? " [yellow](paused)[/]" : "")}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Signal()
    {
        var id = RunId();
        var signal = new Argument<string>("signal") { Description = "The signal's name (a waitForEvent step's signal)" };
        var payload = new Option<string?>("--payload", "-p") { Description = "The payload: JSON, or @file.json (default {})" };
        var command = new Command("signal", "Send a signal to the run's step waiting for it") { id, signal, payload };
        command.Handle(async (parse, cli, ct) =>
        {
            var run = await cli.Client.Workflows.SignalAsync(parse.GetValue(id), parse.GetValue(signal)!, RunView.ReadJson(parse.GetValue(payload), "--payload"), ct);
            cli.Printer.Show(run, CliJson.Default.RunResponse, o => o.MarkupLine($"Signal delivered; run [bold]{run.Id}[/] is {RunView.State(run.State)}."));
            return ExitCodes.Success;
        });
        return command;
    }
}
