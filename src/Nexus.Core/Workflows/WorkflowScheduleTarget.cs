using System.Globalization;
using System.Text.Json;
using Nexus.Scheduling;
using Nexus.Storage;

namespace Nexus.Workflows;

/// <summary>
/// The <c>workflow</c> target of schedules: <c>{"workflow":{"name","input"}}</c> starts one run per slot
/// inside the slot's unit of work (the run, its first steps and the slot's row commit together), with the slot's
/// idempotency key, so a slot never starts two runs.
/// </summary>
internal sealed class WorkflowScheduleTarget(WorkflowService workflows) : IScheduleTargetHandler
{
    private const string At = "target.workflow.";

    public string Kind => ScheduleTargetKinds.Workflow;

    public void Validate(string targetJson) => Parse(targetJson);

    public async Task<string?> FireAsync(IStoreTransaction transaction, ScheduleFire fire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fire);
        var (name, input) = Parse(fire.TargetJson);
        var started = await workflows.StartInAsync(transaction, name, input, fire.IdempotencyKey, cancellationToken).ConfigureAwait(false)
            ?? throw new ScheduleTargetException($"there is no workflow '{name}' to start");
        return string.Create(CultureInfo.InvariantCulture, $"run {started.RunId}");
    }

    private static (string Name, string Input) Parse(string targetJson)
    {
        using var doc = JsonDocument.Parse(targetJson);
        var root = doc.RootElement;
        if (!root.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(n.GetString()))
        {
            throw new TaskValidationException(At + "name", "is required: the workflow to start");
        }
        var input = "{}";
        if (root.TryGetProperty("input", out var i) && i.ValueKind != JsonValueKind.Null)
        {
            if (i.ValueKind != JsonValueKind.Object) throw new TaskValidationException(At + "input", "must be a JSON object");
            input = i.GetRawText();
        }
        return (n.GetString()!, input);
    }
}
