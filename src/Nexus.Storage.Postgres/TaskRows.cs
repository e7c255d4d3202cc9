using System.Data.Common;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>The one column list every task query selects, and how such a row becomes a <see cref="TaskRecord"/>.</summary>
internal static class TaskRows
{
    /// <summary>The task columns in <see cref="Read"/>'s order, each prefixed by <c>t.</c>.
    /// Instants are clamped in SQL into what <see cref="DateTimeOffset"/> holds (<see cref="TaskBounds.MinInstant"/> to
    /// <see cref="TaskBounds.MaxInstant"/>): timestamptz reaches year 294276 and infinity, and one row Npgsql cannot
    /// convert would otherwise fail a whole list or claim.</summary>
    public const string Columns =
        "t.id, t.plugin, t.queue, t.priority, t.state, t.args::text, t.result::text, t.attempt, t.max_attempts, " + RunAt + ", " +
        CreatedAt + ", " + AttemptedAt + ", " + FinishedAt + ", t.lease_token, " + LeaseExpiresAt + ", t.leased_by, t.unique_key, " +
        "t.tags::text, t.errors::text, t.progress::text, t.timeout_ms, t.retry::text, t.cancel_requested, t.trace_context, t.owner";

    private const string Min = "timestamptz '0001-01-01 00:00:00+00'";
    private const string Max = "timestamptz '9999-12-31 23:59:59.999+00'";
    // A CASE rather than least/greatest, which skip nulls and would turn a missing finish time into year 1.
    private const string RunAt = "case when t.run_at > " + Max + " then " + Max + " when t.run_at < " + Min + " then " + Min + " else t.run_at end as run_at";
    private const string CreatedAt = "case when t.created_at > " + Max + " then " + Max + " when t.created_at < " + Min + " then " + Min + " else t.created_at end as created_at";
    private const string AttemptedAt = "case when t.attempted_at > " + Max + " then " + Max + " when t.attempted_at < " + Min + " then " + Min + " else t.attempted_at end as attempted_at";
    private const string FinishedAt = "case when t.finished_at > " + Max + " then " + Max + " when t.finished_at < " + Min + " then " + Min + " else t.finished_at end as finished_at";
    private const string LeaseExpiresAt = "case when t.lease_expires_at > " + Max + " then " + Max + " when t.lease_expires_at < " + Min + " then " + Min + " else t.lease_expires_at end as lease_expires_at";

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
        Timeout = r.IsDBNull(20) ? null : TaskBounds.TimeoutFromMilliseconds(r.GetInt64(20)),
        Retry = r.IsDBNull(21) ? null : StoredJson.Retry(r.GetString(21)),
        CancelRequested = r.GetBoolean(22),
        TraceContext = r.IsDBNull(23) ? null : r.GetString(23),
        Owner = r.IsDBNull(24) ? null : r.GetString(24),
    };

    private static DateTimeOffset? NullableTime(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);
}
