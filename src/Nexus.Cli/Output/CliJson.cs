using System.Text.Json;
using System.Text.Json.Serialization;
using Nexus.Client;

namespace Nexus.Cli.Output;

/// <summary>The documents <c>--json</c> prints (and the JSON lines <c>submit --file</c> reads, strictly: an unknown field
/// is an error naming the line).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IReadOnlyList<EmittedEvent>))]
[JsonSerializable(typeof(EventInfo))]
[JsonSerializable(typeof(ReplayResult))]
[JsonSerializable(typeof(IReadOnlyList<NamespaceInfo>))]
[JsonSerializable(typeof(NamespaceInfo))]
[JsonSerializable(typeof(IReadOnlyList<EventDeadLetter>))]
[JsonSerializable(typeof(IReadOnlyList<SubscriptionInfo>))]
[JsonSerializable(typeof(SubscriptionInfo))]
[JsonSerializable(typeof(TaskSubmission))]
[JsonSerializable(typeof(SubmittedTask))]
[JsonSerializable(typeof(TaskInfo))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(TaskActionResult))]
[JsonSerializable(typeof(TaskWhy))]
[JsonSerializable(typeof(BulkResult))]
[JsonSerializable(typeof(QueueInfo))]
[JsonSerializable(typeof(IReadOnlyList<QueueInfo>))]
[JsonSerializable(typeof(PluginInfo))]
[JsonSerializable(typeof(IReadOnlyList<PluginInfo>))]
[JsonSerializable(typeof(IReadOnlyList<NodeInfo>))]
[JsonSerializable(typeof(KeyInfo))]
[JsonSerializable(typeof(IReadOnlyList<KeyInfo>))]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ScheduleInfo))]
[JsonSerializable(typeof(SchedulePage))]
[JsonSerializable(typeof(ScheduleNext))]
[JsonSerializable(typeof(ScheduleHistory))]
[JsonSerializable(typeof(DeletedScheduleReport))]
[JsonSerializable(typeof(InvokeReport))]
[JsonSerializable(typeof(Db.DbTablesReport))]
[JsonSerializable(typeof(Db.DbResult))]
[JsonSerializable(typeof(IReadOnlyList<DbMetricSection>))]
[JsonSerializable(typeof(ServiceInstanceInfo))]
[JsonSerializable(typeof(ServiceInstanceList))]
[JsonSerializable(typeof(FileSubmitReport))]
[JsonSerializable(typeof(DeletedReport))]
[JsonSerializable(typeof(WatchReport))]
[JsonSerializable(typeof(MigrateReport))]
[JsonSerializable(typeof(RevokedReport))]
[JsonSerializable(typeof(ArtifactPage))]
[JsonSerializable(typeof(StateEntryInfo))]
[JsonSerializable(typeof(StatePageInfo))]
[JsonSerializable(typeof(IReadOnlyList<StateVersionInfo>))]
[JsonSerializable(typeof(StateDeleted))]
[JsonSerializable(typeof(ArtifactGetReport))]
[JsonSerializable(typeof(WorkflowInfo))]
[JsonSerializable(typeof(IReadOnlyList<WorkflowInfo>))]
[JsonSerializable(typeof(StartedRunInfo))]
[JsonSerializable(typeof(RunInfo))]
[JsonSerializable(typeof(RunPage))]
internal sealed partial class CliJson : JsonSerializerContext;

/// <summary><c>nexus health --json</c>.</summary>
internal sealed record HealthReport(string Server, HealthInfo Alive, ReadinessInfo Ready, ServerInfo? Info);

/// <summary><c>nexus submit --file --json</c>.</summary>
internal sealed record FileSubmitReport(int Submitted, int Created, IReadOnlyList<SubmittedTask> Tasks);

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
