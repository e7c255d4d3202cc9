using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Client.Http;

/// <summary>Source-generated JSON for every model the client sends or reads: camelCase, nulls left out (the server
/// treats a missing field as "use the default" and rejects unknown ones), unknown fields in answers ignored so that
/// a newer server does not break an older client.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskSubmission))]
[JsonSerializable(typeof(SubmittedTask))]
[JsonSerializable(typeof(SubmitBatchBody))]
[JsonSerializable(typeof(SubmitBatchAnswer))]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(TaskActionResult))]
[JsonSerializable(typeof(DeadLetterFilter))]
[JsonSerializable(typeof(BulkResult))]
[JsonSerializable(typeof(QueueInfo))]
[JsonSerializable(typeof(IReadOnlyList<QueueInfo>))]
[JsonSerializable(typeof(PluginInfo))]
[JsonSerializable(typeof(IReadOnlyList<PluginInfo>))]
[JsonSerializable(typeof(KeyRequest))]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(IReadOnlyList<KeyInfo>))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(HealthInfo))]
[JsonSerializable(typeof(ReadinessInfo))]
[JsonSerializable(typeof(CallerInfo))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(NodeInfo))]
[JsonSerializable(typeof(NodeListAnswer))]
[JsonSerializable(typeof(IReadOnlyList<NodeInfo>))]
[JsonSerializable(typeof(WorkerRegistration))]
[JsonSerializable(typeof(RegisteredWorker))]
[JsonSerializable(typeof(LeaseBody))]
[JsonSerializable(typeof(LeaseAnswer))]
[JsonSerializable(typeof(HeartbeatBody))]
[JsonSerializable(typeof(HeartbeatAnswer))]
[JsonSerializable(typeof(CompleteBody))]
[JsonSerializable(typeof(CompleteAnswer))]
[JsonSerializable(typeof(DeregisteredWorker))]
[JsonSerializable(typeof(ArtifactPage))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ClientJson : JsonSerializerContext;
