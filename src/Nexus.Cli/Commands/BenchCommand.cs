using System.CommandLine;
using Nexus.Bench;

namespace Nexus.Cli.Commands;

/// <summary><c>nexus bench …</c>: the published benchmark of bench/Nexus.Bench, with its own options passed through
/// untouched (<c>--store sqlite --workloads w1 --w1-tasks 200</c>). PostgreSQL needs <c>NEXUS_BENCH_POSTGRES</c>.</summary>
internal static class BenchCommand
{
    public static Command Create(string[] rawArgs)
    {
        var rest = new Argument<string[]>("options") { Description = "The harness's options: --store sqlite|postgres|both, --workloads w1,w2,w3,w4, --w1-tasks N, --out file.jsonl, …", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("bench", "Run the benchmark workloads (W1–W4) against a fresh database") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        command.HandleLocal(async (parse, ct) =>
        {
            // The harness parses its own options; hand it everything after the word "bench" in its original order.
            var at = Array.IndexOf(rawArgs, "bench");
            try
            {
                return await BenchRunner.RunAsync(rawArgs[(at + 1)..]);
            }
            catch (ArgumentException ex)
            {
                throw new CliUsageException("bench: " + ex.Message);
            }
        });
        return command;
    }
}
