using System.CommandLine;
using Nexus.Client;

namespace Nexus.Cli;

/// <summary>Runs a command's body and turns what went wrong into one line on stderr and the exit code of
/// <see cref="ExitCodes"/>, so that every command fails the same way.</summary>
internal static class CommandActions
{
    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/> with a client and printer.</summary>
    public static void Handle(this Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using var context = CliContext.From(parse);
                return await body(parse, context, cancellationToken);
            }
            catch (Exception ex) when (Describe(ex) is { } failure)
            {
                await Console.Error.WriteLineAsync(failure.Message);
                return failure.Code;
            }
        });

    /// <summary>Sets an action that needs no server (migrate, bench).</summary>
    public static void HandleLocal(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (Exception ex) when (Describe(ex) is { } failure)
            {
                await Console.Error.WriteLineAsync(failure.Message);
                return failure.Code;
            }
        });

    public static (string Message, int Code)? Describe(Exception ex) => ex switch
    {
        NexusApiException api => ($"error: {OneLine(api.Detail)} ({(int)api.Status} {api.Code}{(api.Field is null ? "" : ", field " + api.Field)})", ExitCodes.Refused),
        NexusConnectionException connection => ("error: " + OneLine(connection.Message), ExitCodes.Unreachable),
        CliUsageException usage => ("error: " + OneLine(usage.Message), ExitCodes.Usage),
        OperationCanceledException => ("cancelled", 130),
        _ => null,
    };

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
