using Microsoft.Extensions.Logging;
using Nexus.Plugins;

namespace Nexus.Server.Tests.Observability;

/// <summary>Args of <see cref="FlakyPlugin"/>: the first <paramref name="FailAttempts"/> attempts fail.</summary>
public sealed record FlakyArgs(int FailAttempts);

/// <summary>Result of <see cref="FlakyPlugin"/>: the attempt that succeeded.</summary>
public sealed record FlakyResult(int Attempt);

/// <summary>A test plugin whose attempts fail on demand (a transient error, so the engine retries), and which logs
/// through its own <see cref="TaskContext.Logger"/> so log lines of the plugin can be checked too.</summary>
[TaskPlugin(Name, Description = "Fails its first failAttempts attempts, then succeeds (test plugin).", Version = "1.0.0")]
public sealed class FlakyPlugin : ITaskPlugin<FlakyArgs, FlakyResult>
{
    public const string Name = "test.flaky";

    public ValueTask<FlakyResult> ExecuteAsync(FlakyArgs args, TaskContext context)
    {
        context.Logger.LogInformation("Flaky attempt {Attempt} of task {Id}.", context.Attempt, context.TaskId);
        if (context.Attempt <= args.FailAttempts) throw new InvalidOperationException($"Attempt {context.Attempt} fails on purpose.");
        return ValueTask.FromResult(new FlakyResult(context.Attempt));
    }
}
