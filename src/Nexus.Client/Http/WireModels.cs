namespace Nexus.Client.Http;

// Envelopes of the wire format that the public API unwraps.
internal sealed record SubmitBatchBody(IReadOnlyList<TaskSubmission> Tasks);

internal sealed record SubmitBatchAnswer(IReadOnlyList<SubmittedTask> Results);

internal sealed record NodeListAnswer(IReadOnlyList<NodeInfo> Nodes);
