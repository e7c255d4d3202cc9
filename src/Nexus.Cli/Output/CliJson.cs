using System.Text.Json;
using System.Text.Json.Serialization;
using Nexus.Client;

namespace Nexus.Cli.Output;

/// <summary>The documents <c>--json</c> prints (and the JSON lines <c>submit --file</c> reads, strictly: an unknown field
/// is an error naming the line).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IReadOnlyList<EmittedEvent>))]
[JsonSerializable(typeof(EventResponse))]
[JsonSerializable(typeof(ReplayResponse))]
[JsonSerializable(typeof(IReadOnlyList<NamespaceResponse>))]
[JsonSerializable(typeof(NamespaceResponse))]
[JsonSerializable(typeof(IReadOnlyList<EventDeadLetterResponse>))]
[JsonSerializable(typeof(IReadOnlyList<SubscriptionResponse>))]
[JsonSerializable(typeof(SubscriptionResponse))]
[JsonSerializable(typeof(SubmitTaskRequest))]
[JsonSerializable(typeof(SubmitResponse))]
[JsonSerializable(typeof(TaskResponse))]
[JsonSerializable(typeof(TaskListResponse))]
[JsonSerializable(typeof(TaskActionResponse))]
[JsonSerializable(typeof(TaskWhyResponse))]
[JsonSerializable(typeof(BulkResponse))]
[JsonSerializable(typeof(QueueResponse))]
[JsonSerializable(typeof(IReadOnlyList<QueueResponse>))]
[JsonSerializable(typeof(PluginResponse))]
[JsonSerializable(typeof(IReadOnlyList<PluginResponse>))]
[JsonSerializable(typeof(IReadOnlyList<NodeResponse>))]
[JsonSerializable(typeof(KeyResponse))]
[JsonSerializable(typeof(IReadOnlyList<KeyResponse>))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ScheduleResponse))]
[JsonSerializable(typeof(ScheduleListResponse))]
[JsonSerializable(typeof(ScheduleNextResponse))]
[JsonSerializable(typeof(ScheduleHistoryResponse))]
[JsonSerializable(typeof(DeletedScheduleReport))]
[JsonSerializable(typeof(InvokeReport))]
[JsonSerializable(typeof(Db.DbTablesReport))]
[JsonSerializable(typeof(Db.DbResult))]
[JsonSerializable(typeof(IReadOnlyList<DbMetricSection>))]
[JsonSerializable(typeof(ServiceInstanceResponse))]
[JsonSerializable(typeof(ServiceListResponse))]
[JsonSerializable(typeof(FileSubmitReport))]
[JsonSerializable(typeof(DeletedReport))]
[JsonSerializable(typeof(WatchReport))]
[JsonSerializable(typeof(MigrateReport))]
[JsonSerializable(typeof(RevokedReport))]
[JsonSerializable(typeof(ArtifactListResponse))]
[JsonSerializable(typeof(StateResponse))]
[JsonSerializable(typeof(StateListResponse))]
[JsonSerializable(typeof(IReadOnlyList<StateVersionResponse>))]
[JsonSerializable(typeof(StateDeleteResponse))]
[JsonSerializable(typeof(ArtifactGetReport))]
[JsonSerializable(typeof(WorkflowResponse))]
[JsonSerializable(typeof(IReadOnlyList<WorkflowResponse>))]
[JsonSerializable(typeof(StartRunResponse))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(RunListResponse))]
internal sealed partial class CliJson : JsonSerializerContext;

/// <summary><c>nexus health --json</c>.</summary>
internal sealed record HealthReport(string Server, AliveResponse Alive, ReadyResponse Ready, ServerInfoResponse? Info);

/// <summary><c>nexus submit --file --json</c>.</summary>
internal sealed record FileSubmitReport(int Submitted, int Created, IReadOnlyList<SubmitResponse> Tasks);

/// <summary><c>nexus tasks rm --json</c>.</summary>
internal sealed record DeletedReport(long Id, bool Deleted);

/// <summary>What <c>schedules rm</c> and <c>services rm</c> print with <c>--json</c>.</summary>
internal sealed record DeletedScheduleReport(string Name, bool Deleted);

/// <summary><c>services invoke --json</c>: the instance's answer (the body as text).</summary>
internal sealed record InvokeReport(int Status, string Instance, string? ContentType, string Body);

/// <summary>One section of <c>db metrics --json</c>.</summary>
internal sealed record DbMetricSection(string Title, Db.DbResult Rows);

/// <summary><c>nexus keys revoke --json</c>.</summary>
internal sealed record RevokedReport(string Id, bool Revoked);

/// <summary><c>nexus artifacts get --json</c>: what was downloaded and where it was written.</summary>
internal sealed record ArtifactGetReport(string Path, long Bytes, string ContentType, string Output);

/// <summary><c>nexus watch --json</c>: every refresh, in order.</summary>
internal sealed record WatchReport(IReadOnlyList<WatchSnapshot> Snapshots);

/// <summary>One refresh of <c>nexus watch</c>.</summary>
internal sealed record WatchSnapshot(DateTimeOffset At, IReadOnlyList<WatchRow> Queues);

/// <summary>One queue in a refresh: its counts, and finished and submitted tasks per second since the previous refresh
/// (null on the first).</summary>
internal sealed record WatchRow(string Name, bool Paused, IReadOnlyDictionary<string, long> Counts, long Total, double? FinishedPerSecond, double? SubmittedPerSecond);

/// <summary><c>nexus migrate --json</c>.</summary>
internal sealed record MigrateReport(string Store, int FromVersion, int ToVersion, IReadOnlyList<int> Applied);
