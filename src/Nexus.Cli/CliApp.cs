using System.CommandLine;
using Nexus.Cli.Commands;

namespace Nexus.Cli;

/// <summary>The <c>nexus</c> command tree, and the rule that a command line that does not parse exits with
/// <see cref="ExitCodes.Usage"/> after one line per error on stderr.</summary>
internal static class CliApp
{
    public static RootCommand Build(string[] args)
    {
        var root = new RootCommand("nexus: durable tasks from the command line (server: --server or NEXUS_SERVER; key: --api-key or NEXUS_API_KEY)")
        {
            GlobalOptions.Server,
            GlobalOptions.ApiKey,
            GlobalOptions.Json,
        };
        root.Subcommands.Add(SubmitCommand.Create());
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(TasksCommand.Create());
        root.Subcommands.Add(DeadLettersCommand.Create());
        root.Subcommands.Add(QueuesCommand.Create());
        root.Subcommands.Add(PluginsCommand.Create());
        root.Subcommands.Add(ArtifactsCommand.Create());
        root.Subcommands.Add(StateCommand.Create());
        root.Subcommands.Add(NodesCommand.Create());
        root.Subcommands.Add(SchedulesCommand.Create());
        root.Subcommands.Add(ServicesCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(WorkflowsCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(EventsCommand.Create());
        root.Subcommands.Add(SubsCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // No response files: "@file.json" is how --args names a file, and must reach the command as written.
        var parse = Build(args).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await Console.Error.WriteLineAsync("error: " + CommandActions.OneLine(error.Message));
            var path = string.Join(' ', EnumerateCommandPath(parse.CommandResult.Command, parse));
            await Console.Error.WriteLineAsync($"See '{path} --help'.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync();
    }

    private static IEnumerable<string> EnumerateCommandPath(Command command, ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(result.Command is RootCommand ? "nexus" : result.Command.Name);
        }
        return names;
    }
}
