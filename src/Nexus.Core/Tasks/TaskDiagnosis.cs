using System.Globalization;
using Microsoft.Extensions.Options;
using Nexus.Events;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Workflows;

namespace Nexus.Tasks;

/// <summary>
/// Answers "why isn't this task running?" from what the store holds: its run time or backoff, its queue's pause and
/// concurrency limit (and the running tasks holding it), the ready tasks of its queue ahead of it in the claim order,
/// the live nodes that serve its plugin and queue, and, for a waiting task, its owner (the upstream steps of its
/// workflow step, or the earlier deliveries of its event key). Every read is bounded: counts stop at a cap.
/// </summary>
public sealed class TaskDiagnosis(INexusStore store, IOptions<NexusOptions> options, TimeProvider time)
{
    /// <summary>The backlog count stops here; a position past it is shown as this.</summary>
    public const long BacklogCap = 10_000;

    /// <summary>Most ids of running tasks listed for a held concurrency limit.</summary>
    public const int MaxHolders = 50;

    /// <summary>The diagnosis of task <paramref name="id"/>, or null when there is no such task.</summary>
    public async Task<TaskWhy?> DiagnoseAsync(long id, CancellationToken cancellationToken = default)
    {
        var task = await store.Tasks.GetAsync(id, cancellationToken);
        return task is null ? null : await DiagnoseAsync(task, cancellationToken);
    }

    /// <summary>The diagnosis of a task already read.</summary>
    public async Task<TaskWhy> DiagnoseAsync(TaskRecord task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.State == TaskState.Running)
        {
            return Answer(task, new WhyReason(WhyCodes.Running,
                Text($"Running attempt {task.Attempt} of {task.MaxAttempts} on {task.LeasedBy ?? "a node"} since {Time(task.AttemptedAt ?? task.RunAt)}."))
            { Until = task.AttemptedAt });
        }
        if (task.State.IsTerminal())
        {
            return Answer(task, new WhyReason(WhyCodes.Finished,
                Text($"Finished: {task.State.ToName()}{(task.FinishedAt is { } at ? " at " + Time(at) : "")}."))
            { Until = task.FinishedAt });
        }
        var now = time.GetUtcNow();
        var reasons = new List<WhyReason>();
        if (task.State == TaskState.Waiting) reasons.Add(await OwnerAsync(task, cancellationToken));
        else if (task.RunAt > now)
        {
            reasons.Add(task.State == TaskState.Retrying
                ? new WhyReason(WhyCodes.Backoff, Text($"Attempt {task.Attempt} failed; the next waits for its backoff until {Time(task.RunAt)}.")) { Until = task.RunAt }
                : new WhyReason(WhyCodes.Scheduled, Text($"Scheduled to run at {Time(task.RunAt)}.")) { Until = task.RunAt });
        }
        var queue = await store.Queues.GetAsync(task.Queue, cancellationToken);
        if (queue.Paused) reasons.Add(new WhyReason(WhyCodes.QueuePaused, Text($"Queue '{task.Queue}' is paused: nothing is claimed from it until it is resumed.")));
        if (queue.MaxConcurrency is { } limit && await HoldersAsync(task.Queue, limit, cancellationToken) is { } holders)
        {
            reasons.Add(new WhyReason(WhyCodes.ConcurrencyLimit,
                Text($"Queue '{task.Queue}' runs at most {limit} at once and {limit} are running: {string.Join(", ", holders.Select(h => "#" + h.ToString(CultureInfo.InvariantCulture)))}."))
            { TaskIds = holders, Limit = limit });
        }
        if (task.State != TaskState.Waiting && task.RunAt <= now)
        {
            var ahead = await store.Tasks.CountAheadAsync(new CountAheadParams(task.Queue, task.Priority, task.RunAt, task.Id, BacklogCap), cancellationToken);
            if (ahead > 0)
            {
                var capped = ahead >= BacklogCap;
                reasons.Add(new WhyReason(WhyCodes.Backlog, capped
                    ? Text($"More than {BacklogCap} ready tasks of queue '{task.Queue}' come first in the claim order (priority, run time, id).")
                    : Text($"{ahead} ready task{(ahead == 1 ? "" : "s")} of queue '{task.Queue}' come{(ahead == 1 ? "s" : "")} first in the claim order (priority, run time, id): it is number {ahead + 1}."))
                { Position = ahead + 1 });
            }
        }
        if (!await ServedAsync(task, cancellationToken))
        {
            reasons.Add(new WhyReason(WhyCodes.NoWorker,
                Text($"No live node or worker runs plugin '{task.Plugin}' for queue '{task.Queue}'.")));
        }
        if (reasons.Count == 0) reasons.Add(new WhyReason(WhyCodes.Ready, "Nothing holds it back: the next claim of its queue takes it."));
        return new TaskWhy(task.Id, task.State, task.Queue, task.Plugin, reasons);
    }

    private static TaskWhy Answer(TaskRecord task, WhyReason reason) => new(task.Id, task.State, task.Queue, task.Plugin, [reason]);

    /// <summary>The running tasks of the queue when they fill its limit, else null.</summary>
    private async Task<IReadOnlyList<long>?> HoldersAsync(string queue, int limit, CancellationToken cancellationToken)
    {
        var running = await store.Tasks.CountMatchingAsync(
            new TaskCountParams(new TaskFilter { Queue = queue, State = TaskState.Running }, Math.Max(limit, 1)), cancellationToken);
        if (running < limit) return null;
        var page = await store.Tasks.ListAsync(new TaskQuery { Queue = queue, State = TaskState.Running, Limit = MaxHolders }, cancellationToken);
        return [.. page.Items.Select(t => t.Id).Order()];
    }

    /// <summary>True when a node not stale takes the task's queue and runs its plugin.</summary>
    private async Task<bool> ServedAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        var nodes = await store.Nodes.ListAsync(new ListNodesParams(options.Value.HeartbeatInterval * 3), cancellationToken);
        return nodes.Any(n => !n.Stale
            && (n.Queues.Count == 0 || n.Queues.Contains(task.Queue, StringComparer.Ordinal))
            && n.Plugins.Contains(task.Plugin, StringComparer.Ordinal));
    }

    /// <summary>What a waiting task waits on, from its owner.</summary>
    private async Task<WhyReason> OwnerAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        if (DeliveryOwner.IsDelivery(task.Owner))
        {
            return new WhyReason(WhyCodes.WaitingOnKey,
                Text($"An event delivery with per-key order: it waits behind the earlier delivery of its key ({task.Owner}), which is released first."));
        }
        if (StepTaskOwner.TryParse(task.Owner) is { } owner)
        {
            var run = await store.Workflows.GetRunAsync(owner.RunId, cancellationToken);
            if (run is not null)
            {
                var step = WorkflowJson.Parse(run.DefinitionJson).Steps.FirstOrDefault(s => s.Id == owner.StepId);
                var states = (await store.Workflows.GetStepsAsync([run.Id], cancellationToken)).ToDictionary(s => s.StepId, s => s.State, StringComparer.Ordinal);
                var pending = (step?.Needs ?? [])
                    .Where(n => !states.TryGetValue(n, out var s) || s is not (StepState.Succeeded or StepState.Skipped))
                    .Select(n => states.TryGetValue(n, out var s) ? $"{n} ({s.ToString().ToLowerInvariant()})" : n)
                    .ToList();
                if (pending.Count > 0)
                {
                    return new WhyReason(WhyCodes.WaitingOnSteps,
                        Text($"Step '{owner.StepId}' of workflow run {run.Id} waits on upstream steps: {string.Join(", ", pending)}."))
                    { Steps = pending };
                }
                if (run.Paused) return new WhyReason(WhyCodes.Waiting, Text($"Workflow run {run.Id} is paused; step '{owner.StepId}' is released when it resumes."));
                return new WhyReason(WhyCodes.Waiting, Text($"Waiting for workflow run {run.Id} to release step '{owner.StepId}'."));
            }
        }
        return new WhyReason(WhyCodes.Waiting, task.Owner is null
            ? "Waiting to be released (a signal or its owner makes it available)."
            : Text($"Waiting to be released by its owner ({task.Owner})."));
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
