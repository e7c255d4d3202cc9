using System.CommandLine;
using Nexus.Cli.Output;
using Nexus.Client;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus dlq ls|retry|purge</c>: tasks that failed for good.</summary>
internal static class DeadLettersCommand
{
    public static Command Create()
    {
        var dlq = new Command("dlq", "Dead letters: list, retry, purge");
        dlq.Subcommands.Add(List());
        dlq.Subcommands.Add(Retry());
        dlq.Subcommands.Add(Purge());
        return dlq;
    }

    private static Command List()
    {
        var filters = new TaskFilterOptions();
        var paging = new PageOptions();
        var command = new Command("ls", "List dead tasks, newest first");
        filters.AddTo(command);
        paging.AddTo(command);
        command.Handle((parse, cli, ct) => paging.ShowAsync(parse, cli, filters.Query(parse),
            q => cli.Client.DeadLetters.ListAsync(q, ct), q => cli.Client.DeadLetters.ListAllAsync(q, ct)));
        return command;
    }

    private static Command Retry()
    {
        var id = new Argument<long?>("id") { Description = "One dead task to retry; leave out and give a filter or --all to retry many", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("retry", "Retry one dead task, or all matching a filter") { id };
        var bulk = Bulk(command);
        command.Handle(async (parse, cli, ct) =>
        {
            if (parse.GetValue(id) is { } one)
            {
                if (bulk.Given(parse)) throw new CliUsageException("Give either a task id or a filter (--plugin, --queue, --tag, --created-…, --all), not both.");
                var result = await cli.Client.DeadLetters.RetryAsync(one, ct);
                cli.Printer.Show(result, CliJson.Default.TaskActionResponse, o => o.MarkupLine($"Task [bold]{result.Id}[/] {Format.E(result.Outcome)}."));
                return ExitCodes.Success;
            }
            return await bulk.RunAsync(parse, cli, "retry", (f, c) => cli.Client.DeadLetters.RetryMatchingAsync(f, c), "Retried", ct);
        });
        return command;
    }

    private static Command Purge()
    {
        var command = new Command("purge", "Delete the dead tasks matching a filter (or --all)");
        var bulk = Bulk(command);
        command.Handle((parse, cli, ct) => bulk.RunAsync(parse, cli, "purge", (f, c) => cli.Client.DeadLetters.PurgeAsync(f, c), "Deleted", ct));
        return command;
    }

    private static BulkOptions Bulk(Command command)
    {
        var bulk = new BulkOptions();
        bulk.Filters.AddTo(command);
        command.Options.Add(bulk.All);
        return bulk;
    }

    /// <summary>A filter, or <c>--all</c> to say "every dead task" on purpose; the calls repeat while the server says
    /// there is more.</summary>
    private sealed class BulkOptions
    {
        public TaskFilterOptions Filters { get; } = new();
        public Option<bool> All { get; } = new("--all") { Description = "Every dead task (required when no filter is given)" };

        public bool Given(ParseResult parse) => Filters.Any(parse) || parse.GetValue(All);

        public async Task<int> RunAsync(ParseResult parse, CliContext cli, string verb, Func<DeadLetterFilterRequest, CancellationToken, Task<BulkResponse>> call,
            string done, CancellationToken ct)
        {
            if (!Given(parse)) throw new CliUsageException($"dlq {verb} needs a task id, a filter (--plugin, --queue, --tag, --created-from, --created-before) or --all.");
            var filter = Filters.Filter(parse, null);
            var total = 0;
            BulkResponse result;
            do
            {
                result = await call(filter, ct);
                total += result.Count;
            }
            while (result.More && result.Count > 0);
            var summary = new BulkResponse(total, false);
            cli.Printer.Show(summary, CliJson.Default.BulkResponse, o => o.MarkupLine($"{done} [bold]{total}[/] dead task(s)."));
            return ExitCodes.Success;
        }
    }
}
