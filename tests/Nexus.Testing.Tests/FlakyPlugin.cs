using System.Collections.Concurrent;
using Nexus.Plugins;

namespace Nexus.Testing.Tests;

public sealed record FlakyArgs(int FailTimes);

public sealed record FlakyResult(int Attempt);

/// <summary>What the test plugin saw: each attempt's number and the fake clock's time when it ran.</summary>
public sealed class FlakyRuns
{
    public ConcurrentQueue<(long Task, int Attempt, DateTimeOffset At)> Runs { get; } = new();
}

[TaskPlugin("test.flaky", Description = "Fails its first FailTimes attempts, then succeeds.")]
public sealed class FlakyPlugin(FlakyRuns runs, TimeProvider time) : ITaskPlugin<FlakyArgs, FlakyResult>
{
    public ValueTask<FlakyResult> ExecuteAsync(FlakyArgs args, TaskContext context)
    {
        runs.Runs.Enqueue((context.TaskId, context.Attempt, time.GetUtcNow()));
        if (context.Attempt <= args.FailTimes) throw new InvalidOperationException($"planned failure {context.Attempt}");
        return ValueTask.FromResult(new FlakyResult(context.Attempt));
    }
}
