using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Column list and row mapping of <c>nexus_tasks</c>.</summary>
internal static class SqliteRows
{
    public const string Columns =
        "id, plugin, queue, priority, state, args, result, attempt, max_attempts, run_at, created_at, attempted_at, " +
        "finished_at, lease_token, lease_expires_at, leased_by, unique_key, tags, errors, progress, timeout_ms, retry, cancel_requested, trace_context, owner";

    /// <summary>One row as a record. Instants and durations out of range read clamped to <see cref="TaskBounds"/>.</summary>
    public static TaskRecord Read(SqliteDataReader r) => new()
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
        RunAt = Time(r.GetInt64(9)),
        CreatedAt = Time(r.GetInt64(10)),
        AttemptedAt = r.IsDBNull(11) ? null : Time(r.GetInt64(11)),
        FinishedAt = r.IsDBNull(12) ? null : Time(r.GetInt64(12)),
        LeaseToken = r.IsDBNull(13) || !Guid.TryParse(r.GetString(13), out var token) ? null : token,
        LeaseExpiresAt = r.IsDBNull(14) ? null : Time(r.GetInt64(14)),
        LeasedBy = r.IsDBNull(15) ? null : r.GetString(15),
        UniqueKey = r.IsDBNull(16) ? null : r.GetString(16),
        Tags = StoredJson.Tags(r.GetString(17)),
        Errors = StoredJson.Errors(r.GetString(18)),
        Progress = r.IsDBNull(19) ? null : StoredJson.Progress(r.GetString(19)),
        Timeout = r.IsDBNull(20) ? null : TaskBounds.TimeoutFromMilliseconds(r.GetInt64(20)),
        Retry = r.IsDBNull(21) ? null : StoredJson.Retry(r.GetString(21)),
        CancelRequested = r.GetInt64(22) != 0,
        TraceContext = r.IsDBNull(23) ? null : r.GetString(23),
        Owner = r.IsDBNull(24) ? null : r.GetString(24),
    };

    /// <summary>Stored Unix milliseconds as an instant; a number beyond what <see cref="DateTimeOffset"/> holds (a row
    /// written before the bounds, or by hand) reads clamped, so one row never fails a whole list.</summary>
    public static DateTimeOffset Time(long unixMs) => TaskBounds.FromUnixMilliseconds(unixMs);

    public static async Task<List<TaskRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<TaskRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) list.Add(Read(reader));
        return list;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Callers pass constant SQL; values always go in parameters.")]
    public static SqliteCommand Command(SqliteTransaction tx, string sql)
    {
        var command = tx.Connection!.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    public static SqliteParameter Add(this SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
