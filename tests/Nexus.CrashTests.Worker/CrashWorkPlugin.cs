using System.ComponentModel.DataAnnotations;
using Nexus.Plugins;

namespace Nexus.CrashTests.Worker;

/// <summary>Args of <c>crash.work</c>.</summary>
/// <param name="Ms">How long the attempt works, in milliseconds (honouring cancellation).</param>
/// <param name="Poison">When true, every attempt kills the worker process running it (SIGKILL on itself): a poison task.</param>
public sealed record CrashWorkArgs([property: Range(0, 600_000)] int Ms, bool Poison = false);

/// <summary>What an attempt returns: who ran it, so the test can tell which attempt's result the store kept.</summary>
public sealed record CrashWorkResult(string Node, int Pid, int Attempt);

/// <summary>How this worker's attempts behave, from the command line.</summary>
/// <param name="GatePath">When set, attempts wait until this file exists, ignoring cancellation (a plugin that does not
/// cooperate, so that a frozen worker's attempt really finishes after it lost its lease).</param>
/// <param name="GateAttempt">When set, only attempts with this number wait for the gate; the others work as usual.</param>
public sealed record CrashBehaviour(string? GatePath, int? GateAttempt = null);

/// <summary>The crash tests' plugin: records its start, works (or waits for the gate), records its finish.</summary>
[TaskPlugin(Name, Description = "Crash-test work: records every start and finish in the worker's history.", MaxAttempts = 10)]
public sealed class CrashWorkPlugin(CrashBehaviour behaviour, HistoryWriter history) : ITaskPlugin<CrashWorkArgs, CrashWorkResult>
{
    /// <summary>The plugin's stable name.</summary>
    public const string Name = "crash.work";

    private static readonly TimeSpan GatePollStep = TimeSpan.FromMilliseconds(20);

    /// <inheritdoc/>
    public async ValueTask<CrashWorkResult> ExecuteAsync(CrashWorkArgs args, TaskContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        history.Append(HistoryKind.Start, context.TaskId, context.Attempt);
        if (args.Poison)
        {
            // As abrupt as a native crash: no shutdown, no hand-back, the lease simply stops being renewed.
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
        if (behaviour.GatePath is { } gate && (behaviour.GateAttempt is null || behaviour.GateAttempt == context.Attempt))
        {
            while (!File.Exists(gate)) await Task.Delay(GatePollStep, CancellationToken.None);
        }
        else if (args.Ms > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(args.Ms), context.CancellationToken);
        }
        history.Append(HistoryKind.Finish, context.TaskId, context.Attempt);
        return new CrashWorkResult(history.Node, Environment.ProcessId, context.Attempt);
    }
}
