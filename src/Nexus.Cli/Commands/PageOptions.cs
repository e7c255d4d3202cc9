using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>--limit</c>, <c>--cursor</c> and <c>--all</c> of the list commands, and printing what they fetched.</summary>
internal sealed class PageOptions
{
    public Option<int> Limit { get; } = new("--limit", "-n") { Description = "Tasks per page (1–1000)", DefaultValueFactory = _ => 20 };
    public Option<string?> Cursor { get; } = new("--cursor") { Description = "Start after this cursor (the 'next' of the previous page)" };
    public Option<bool> All { get; } = new("--all") { Description = "Fetch every page" };

    public void AddTo(Command command)
    {
        command.Options.Add(Limit);
        command.Options.Add(Cursor);
        command.Options.Add(All);
    }

    public async Task<int> ShowAsync(ParseResult parse, CliContext cli, TaskQuery filter,
        Func<TaskQuery, Task<TaskListResponse>> page, Func<TaskQuery, IAsyncEnumerable<TaskResponse>> all)
    {
        var query = filter with { Limit = parse.GetValue(Limit), Before = parse.GetValue(Cursor) };
        TaskListResponse result;
        if (parse.GetValue(All))
        {
            var items = new List<TaskResponse>();
            await foreach (var task in all(query)) items.Add(task);
            result = new TaskListResponse(items, null);
        }
        else
        {
            result = await page(query);
        }
        cli.Printer.Show(result, CliJson.Default.TaskListResponse, o => TaskView.Page(o, result.Items, result.Next));
        return ExitCodes.Success;
    }
}
