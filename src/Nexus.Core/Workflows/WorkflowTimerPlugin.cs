using Nexus.Plugins;

namespace Nexus.Workflows;

/// <summary>Arguments of the timer (none).</summary>
public sealed record TimerArgs;

/// <summary>The task behind a sleep step and a wait's timeout: scheduled at the wake-up time, it does nothing; its
/// completion is what the planner hears. Registered by <c>AddNexus</c>.</summary>
[TaskPlugin(RunPlanner.TimerPlugin, Description = "A workflow's durable timer (sleep steps, wait timeouts): does nothing when due.", MaxAttempts = 25)]
public sealed class WorkflowTimerPlugin : ITaskPlugin<TimerArgs, TimerArgs>
{
    /// <inheritdoc/>
    public ValueTask<TimerArgs> ExecuteAsync(TimerArgs args, TaskContext context) => ValueTask.FromResult(new TimerArgs());
}
