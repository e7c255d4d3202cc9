using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus tasks ls|show|why|cancel|retry|rm</c>.</summary>
internal static class TasksCommand
{
    public static Command Create()
    {
        var tasks = new Command("tasks", "List, show, cancel, retry and delete tasks");
        tasks.Subcommands.Add(List());
        tasks.Subcommands.Add(Show());
        tasks.Subcommands.Add(Why());
        tasks.Subcommands.Add(Action("cancel", "Cancel a task (a running one is asked to stop)", (c, id, ct) => c.Tasks.CancelAsync(id, ct)));
        tasks.Subcommands.Add(Retry());
        tasks.Subcommands.Add(Remove());
        return tasks;
    }

    internal static Argument<long> IdArgument(string description = "The task id") => new("id") { Description = description };

    private static Command List()
    {
        var state = new Option<string?>("--state", "-s") { Description = "Only tasks in this state" };
        state.AcceptOnlyFromAmong([.. TaskStates.All]);
        var filters = new TaskFilterOptions();
        var paging = new PageOptions();
        var command = new Command("ls", "List tasks, newest first") { state };
        filters.AddTo(command);
        paging.AddTo(command);
        command.Handle((parse, cli, ct) => paging.ShowAsync(parse, cli, filters.Query(parse) with { State = parse.GetValue(state) },
            q => cli.Client.Tasks.ListAsync(q, ct), q => cli.Client.Tasks.ListAllAsync(q, ct)));
        return command;
    }

    private static Command Show()
    {
        var id = IdArgument();
        var command = new Command("show", "Show a task: state, attempts, args, result, errors") { id };
        command.Handle(async (parse, cli, ct) =>
        {
            var task = await cli.Client.Tasks.GetAsync(parse.GetValue(id), ct);
            cli.Printer.Show(task, CliJson.Default.TaskResponse, o => TaskView.Show(o, task));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Why()
    {
        var id = IdArgument();
        var command = new Command("why", "Why a task is not running: scheduled, backoff, queue paused, concurrency limit, backlog, no worker, upstream steps") { id };
        command.Handle(async (parse, cli, ct) =>
        {
            var why = await cli.Client.Tasks.WhyAsync(parse.GetValue(id), ct);
            cli.Printer.Show(why, CliJson.Default.TaskWhyResponse, o => TaskView.Why(o, why));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Command Action(string name, string description, Func<NexusClient, long, CancellationToken, Task<TaskActionResponse>> act)
    {
        var id = IdArgument();
        var command = new Command(name, description) { id };
        command.Handle(async (parse, cli, ct) =>
        {
            var result = await act(cli.Client, parse.GetValue(id), ct);
            cli.Printer.Show(result, CliJson.Default.TaskActionResponse, o => o.MarkupLine(result.Outcome switch
            {
                "requested" => $"Task [bold]{result.Id}[/] is running; it was asked to stop.",
                _ => $"Task [bold]{result.Id}[/] {Format.E(result.Outcome)}.",
            }));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>tasks retry N [--args '{…}' | --args @file.json]</c>: new args replace the task's own first.</summary>
    private static Command Retry()
    {
        var args = new Option<string?>("--args", "-a") { Description = "New args for the retry: a JSON object, or @file.json (checked like a submit's)" };
        var id = IdArgument();
        var command = new Command("retry", "Retry a dead or cancelled task, optionally with new args") { id, args };
        command.Handle(async (parse, cli, ct) =>
        {
            var given = parse.GetValue(args);
            var result = given is null
                ? await cli.Client.Tasks.RetryAsync(parse.GetValue(id), ct)
                : await cli.Client.Tasks.RetryAsync(parse.GetValue(id), SubmitCommand.ReadArgs(given), ct);
            cli.Printer.Show(result, CliJson.Default.TaskActionResponse, o => o.MarkupLine($"Task [bold]{result.Id}[/] {Format.E(result.Outcome)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var id = IdArgument();
        var command = new Command("rm", "Delete a task that is not running") { id };
        command.Handle(async (parse, cli, ct) =>
        {
            var taskId = parse.GetValue(id);
            await cli.Client.Tasks.DeleteAsync(taskId, ct);
            cli.Printer.Show(new DeletedReport(taskId, true), CliJson.Default.DeletedReport, o => o.MarkupLine($"Deleted task [bold]{taskId}[/]."));
            return ExitCodes.Success;
        });
        return command;
    }
}
