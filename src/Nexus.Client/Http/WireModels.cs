using System.Text.Json;

namespace Nexus.Client.Http;

// Envelopes of the wire format that the public API unwraps.
internal sealed record SubmitBatchBody(IReadOnlyList<TaskSubmission> Tasks);

internal sealed record SubmitBatchAnswer(IReadOnlyList<SubmittedTask> Results);

internal sealed record NodeListAnswer(IReadOnlyList<NodeInfo> Nodes);

internal sealed record LeaseBody(int? Max, int? WaitMs);

internal sealed record LeaseAnswer(IReadOnlyList<LeasedTask> Tasks);

internal sealed record HeartbeatBody(IReadOnlyList<TaskLease> Leases);

internal sealed record HeartbeatAnswer(IReadOnlyList<LeaseState> Leases);

internal sealed record CompleteBody(IReadOnlyList<WorkerCompletion> Completions);

internal sealed record CompleteAnswer(IReadOnlyList<CompletionResult> Results);

internal sealed record WorkflowListAnswer(IReadOnlyList<WorkflowInfo> Items);

internal sealed record StartRunBody(JsonElement? Input, string? IdempotencyKey, int? Version);

internal sealed record SignalBody(string Signal, JsonElement? Payload);

internal sealed record StepItemListAnswer(IReadOnlyList<StepInfo> Items);
