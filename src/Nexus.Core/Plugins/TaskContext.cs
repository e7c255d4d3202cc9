using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Tasks;

namespace Nexus.Plugins;

/// <summary>
/// What a running attempt knows and can do: its identity, cancellation, logging and progress.
/// The engine creates it; tests of a plugin may create one directly.
/// </summary>
public sealed class TaskContext
{
    /// <summary>The task's id.</summary>
    public required long TaskId { get; init; }
    /// <summary>The plugin name.</summary>
    public required string Plugin { get; init; }
    /// <summary>The queue.</summary>
    public string Queue { get; init; } = "default";
    /// <summary>This attempt's number, 1-based.</summary>
    public int Attempt { get; init; } = 1;
    /// <summary>Attempts allowed in all.</summary>
    public int MaxAttempts { get; init; } = 1;
    /// <summary>The task's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Fires when the task is cancelled, times out, or the worker shuts down.</summary>
    public CancellationToken CancellationToken { get; init; }
    private Artifacts.TaskArtifacts? _artifacts;

    /// <summary>A logger whose scope carries the task id, plugin and attempt. Under the engine, its lines (Information and
    /// up) are also kept as the attempt's log (bounded; see docs/workflows.md), readable per task, step and attempt.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
    /// <summary>The same logger as <see cref="Logger"/>: the attempt's log.</summary>
    public ILogger Log => Logger;
    /// <summary>Whether <see cref="Artifacts"/> is set (always under the engine).</summary>
    public bool HasArtifacts => _artifacts is not null;

    /// <summary>The task's files in the artifact store, under <c>runs/&lt;runId&gt;/&lt;stepId&gt;/</c> for a workflow
    /// step and <c>tasks/&lt;taskId&gt;/</c> otherwise: <c>await context.Artifacts.WriteAsync("report.csv", stream)</c>.</summary>
    /// <exception cref="InvalidOperationException">On read, when the context was made without one (a test's).</exception>
    public Artifacts.TaskArtifacts Artifacts
    {
        get => _artifacts ?? throw new InvalidOperationException("This TaskContext has no artifact store; the engine sets one (a test may set Artifacts = new TaskArtifacts(new LocalArtifactStore(folder), \"tasks/1/\")).");
        init => _artifacts = value;
    }
    /// <summary>Services of the attempt's scope.</summary>
    public IServiceProvider? Services { get; init; }
    /// <summary>Receives progress reports. The engine sets it to store progress; tests may set it to observe.</summary>
    public Func<TaskProgress, ValueTask>? OnProgress { get; init; }

    /// <summary>Reports progress (0 to 1, clamped) with an optional note. Cheap to call often: the engine stores at most a few reports a second.</summary>
    public ValueTask ReportProgressAsync(double fraction, string? message = null)
    {
        var clamped = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        return OnProgress is null ? ValueTask.CompletedTask : OnProgress(new TaskProgress(clamped, message));
    }
}
