using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Nexus.Plugins;

namespace Nexus.Storage.Contract;

/// <summary>What the probe plugin should do on a run.</summary>
public enum ProbeMode
{
    /// <summary>Return at once.</summary>
    Succeed,
    /// <summary>Throw on the first <c>FailTimes</c> attempts, then succeed.</summary>
    Fail,
    /// <summary>Throw <see cref="PermanentTaskException"/>.</summary>
    Permanent,
    /// <summary>Snooze on the first run, succeed on the next.</summary>
    Snooze,
    /// <summary>Report progress, then wait for the probe's gate (or cancellation).</summary>
    Block,
    /// <summary>Snooze for <see cref="TimeSpan.MaxValue"/> on the first run.</summary>
    SnoozeForever,
    /// <summary>Throw on the first <c>FailTimes</c> runs of any task with the same <c>Value</c> (so a new task for the same
    /// work, as a workflow retry makes, succeeds), then succeed.</summary>
    FailFirstRuns,
    /// <summary>Report progress twice at once, then return.</summary>
    ReportAndSucceed,
}

/// <summary>Args of the probe plugin.</summary>
public sealed record ProbeArgs
{
    public ProbeMode Mode { get; init; } = ProbeMode.Succeed;
    [Range(0, 100)]
    public int FailTimes { get; init; }
    public string? Value { get; init; }
}

/// <summary>Result of the probe plugin.</summary>
public sealed record ProbeResult(string? Value, int Attempt);

/// <summary>Shared with the test: records runs and lets the test open the gate blocked runs wait on.</summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _started = new();
    public ConcurrentDictionary<long, int> Runs { get; } = new();
    public ConcurrentQueue<long> StartOrder { get; } = new();
    public ConcurrentDictionary<string, int> RunsByValue { get; } = new(StringComparer.Ordinal);
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnStart(long id)
    {
        Runs.AddOrUpdate(id, 1, (_, n) => n + 1);
        StartOrder.Enqueue(id);
        Started(id).TrySetResult();
    }

    public TaskCompletionSource Started(long id) =>
        _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

[TaskPlugin("test.probe", Description = "Test plugin whose behaviour the args choose.", Version = "2.1.0")]
public sealed class ProbePlugin(Probe probe) : ITaskPlugin<ProbeArgs, ProbeResult>
{
    public async ValueTask<ProbeResult> ExecuteAsync(ProbeArgs args, TaskContext context)
    {
        probe.OnStart(context.TaskId);
        switch (args.Mode)
        {
            case ProbeMode.Fail when context.Attempt <= args.FailTimes:
                throw new InvalidOperationException($"planned failure {context.Attempt}");
            case ProbeMode.FailFirstRuns when probe.RunsByValue.AddOrUpdate(args.Value ?? "", 1, (_, n) => n + 1) <= args.FailTimes:
                throw new InvalidOperationException($"planned failure of '{args.Value}'");
            case ProbeMode.Permanent:
                throw new PermanentTaskException("cannot ever work");
            case ProbeMode.Snooze when probe.Runs[context.TaskId] == 1:
                throw new SnoozeTaskException(TimeSpan.Zero);
            case ProbeMode.SnoozeForever when probe.Runs[context.TaskId] == 1:
                throw new SnoozeTaskException(TimeSpan.MaxValue);
            case ProbeMode.ReportAndSucceed:
                await context.ReportProgressAsync(0.3, "started");
                await context.ReportProgressAsync(1, "done");
                break;
            case ProbeMode.Block:
                await context.ReportProgressAsync(0.5, "halfway");
                await probe.Gate.Task.WaitAsync(context.CancellationToken);
                break;
        }
        return new ProbeResult(args.Value, context.Attempt);
    }
}
