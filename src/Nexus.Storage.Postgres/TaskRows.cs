using System.Data.Common;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>The one column list every task query selects, and how such a row becomes a <see cref="TaskRecord"/>.</summary>
internal static class TaskRows
{
    /// <summary>The task columns in <see cref="Read"/>'s order, each prefixed by <c>t.</c>.</summary>
    public const string Columns =
        "t.id, t.plugin, t.queue, t.priority, t.state, t.args::text, t.result::text, t.attempt, t.max_attempts, t.run_at, " +
        "t.created_at, t.attempted_at, t.finished_at, t.lease_token, t.lease_expires_at, t.leased_by, t.unique_key, " +
        "t.tags::text, t.errors::text, t.progress::text, t.timeout_ms, t.retry::text, t.cancel_requested, t.trace_context";

    public static TaskRecord Read(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Plugin = r.GetString(1),
        Queue = r.GetString(2),
        Priority = r.GetInt32(3),
        State = TaskStates.Parse(r.GetString(4)),
        ArgsJson = r.GetString(5),
        ResultJson = r.IsDBNull(6) ? null : r.GetString(6),
        Attempt = r.GetInt32(7),
        MaxAttempts = r.GetInt32(8),
        RunAt = r.GetFieldValue<DateTimeOffset>(9),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(10),
        AttemptedAt = NullableTime(r, 11),
        FinishedAt = NullableTime(r, 12),
        LeaseToken = r.IsDBNull(13) ? null : r.GetGuid(13),
        LeaseExpiresAt = NullableTime(r, 14),
        LeasedBy = r.IsDBNull(15) ? null : r.GetString(15),
        UniqueKey = r.IsDBNull(16) ? null : r.GetString(16),
        Tags = StoredJson.Tags(r.GetString(17)),
        Errors = StoredJson.Errors(r.GetString(18)),
        Progress = r.IsDBNull(19) ? null : StoredJson.Progress(r.GetString(19)),
        Timeout = r.IsDBNull(20) ? null : TimeSpan.FromMilliseconds(r.GetInt64(20)),
        Retry = r.IsDBNull(21) ? null : StoredJson.Retry(r.GetString(21)),
        CancelRequested = r.GetBoolean(22),
        TraceContext = r.IsDBNull(23) ? null : r.GetString(23),
    };

    private static DateTimeOffset? NullableTime(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);
}
