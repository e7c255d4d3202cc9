using System.Globalization;
using System.Text.Json;
using Nexus.Events;
using Nexus.Tasks;

namespace Nexus.Workflows;

/// <summary>
/// The <c>workflow</c> action of subscriptions: each matching event starts a run of the workflow named by the
/// subscription's target, with the input rendered from the args template (<see cref="ArgsTemplate"/>; none: the
/// payload). The delivery is a task of the built-in <see cref="WorkflowStartPlugin"/> whose start carries the
/// idempotency key <c>event:{subscription}:{position}</c>: a retried delivery, a replay or a second dispatch of the
/// same event returns the first run, so there is one run per (subscription, event).
/// </summary>
internal sealed class WorkflowSubscriptionAction : ISubscriptionAction
{
    /// <summary>The action's kind.</summary>
    public const string ActionKind = SubscriptionActions.Workflow;

    public string Kind => ActionKind;

    public void Validate(SubscriptionRequest subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (string.IsNullOrWhiteSpace(subscription.Target) || subscription.Target.Length > 128)
        {
            throw new TaskValidationException("target", "is required: the workflow to start for each event (at most 128 characters)");
        }
        if (subscription.ArgsTemplate is not null) ArgsTemplate.Validate(subscription.ArgsTemplate);
    }

    public TaskRequest Plan(SubscriptionRecord subscription, EventRecord e, string eventJson)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(e);
        var input = ArgsTemplate.Render(subscription.ArgsTemplateJson, eventJson);
        var key = string.Create(CultureInfo.InvariantCulture, $"event:{subscription.Id}:{e.Position}");
        using var doc = JsonDocument.Parse(input);
        var args = JsonSerializer.Serialize(new WorkflowStartArgs(subscription.Target!, doc.RootElement, key), NexusJson.Options);
        return new TaskRequest(WorkflowStartPlugin.Name, args);
    }
}

/// <summary>Args of <see cref="WorkflowStartPlugin"/>.</summary>
/// <param name="Workflow">The workflow to start (its latest version).</param>
/// <param name="Input">The run's input, a JSON object.</param>
/// <param name="IdempotencyKey">The start's idempotency key.</param>
public sealed record WorkflowStartArgs(string Workflow, JsonElement Input, string IdempotencyKey);

/// <summary>What <see cref="WorkflowStartPlugin"/> started.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Created">False when the key returned a run started before.</param>
public sealed record WorkflowStartResult(long RunId, bool Created);

/// <summary>Starts a workflow run for a subscription's delivery (the <c>workflow</c> subscription action).</summary>
[Plugins.TaskPlugin(Name, Description = "Starts a workflow run for an event (the 'workflow' subscription action), once per subscription and event.", Version = "1.0.0")]
internal sealed class WorkflowStartPlugin(INexusWorkflows workflows) : Plugins.ITaskPlugin<WorkflowStartArgs, WorkflowStartResult>
{
    public const string Name = "workflow.start";

    public async ValueTask<WorkflowStartResult> ExecuteAsync(WorkflowStartArgs args, Plugins.TaskContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var started = await workflows.StartAsync(args.Workflow, args.Input.GetRawText(), new StartRunOptions { IdempotencyKey = args.IdempotencyKey }, context.CancellationToken).ConfigureAwait(false);
        return new WorkflowStartResult(started.RunId, started.Created);
    }
}
