using System.Text;
using Npgsql;
using NpgsqlTypes;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>The one translation of a <see cref="TaskFilter"/> into SQL, shared by listing and the bulk actions:
/// only the filters that are set appear in the text (each combination gets a plan of its own), every value is a
/// positional parameter appended to <c>parameters</c>.</summary>
internal static class TaskFilterSql
{
    public static void Append(StringBuilder sql, TaskFilter f, List<NpgsqlParameter> parameters)
    {
        void Filter(string condition, NpgsqlParameter parameter) => And(sql, condition, parameter, parameters);
        if (f.State is { } state)
        {
            Filter("t.state = $?", new NpgsqlParameter<string> { TypedValue = state.ToName() });
            // Redundant conditions that name the partial indexes of those rows (migration 16): a lease is set exactly
            // while a task runs, finished_at exactly once it ended.
            if (state == TaskState.Running) sql.Append(" and t.lease_expires_at is not null");
            else if (state is TaskState.Succeeded or TaskState.Dead or TaskState.Cancelled) sql.Append(" and t.finished_at is not null");
        }
        if (f.Plugin is not null) Filter("t.plugin = $?", new NpgsqlParameter<string> { TypedValue = f.Plugin });
        if (f.Queue is not null) Filter("t.queue = $?", new NpgsqlParameter<string> { TypedValue = f.Queue });
        if (f.Tag is not null)
        {
            // The tag index holds tagged rows only (migration 16); the second condition lets the planner use it.
            Filter("t.tags @> $?", new NpgsqlParameter<string> { TypedValue = StoredJson.Tags([f.Tag]), NpgsqlDbType = NpgsqlDbType.Jsonb });
            sql.Append(" and t.tags <> '[]'::jsonb");
        }
        if (f.CreatedFrom is { } from) Filter("t.created_at >= $?", Time(from));
        if (f.CreatedBefore is { } before) Filter("t.created_at < $?", Time(before));
        if (f.FinishedBefore is { } finished) Filter("t.finished_at < $?", Time(finished));
        if (f.Unowned) sql.Append(" and (t.owner is null or t.owner like 'event:%')");
        if (f.Args is { } args)
        {
            // jsonb equality: numbers by value, strings after unescaping; the path may name keys or array indexes.
            Filter("t.args #> $? is not null", new NpgsqlParameter<string[]> { TypedValue = [.. args.Segments] });
            sql.Append(" and t.args #> $").Append(parameters.Count).Append(" = ");
            parameters.Add(new NpgsqlParameter<string> { TypedValue = args.Json, NpgsqlDbType = NpgsqlDbType.Jsonb });
            sql.Append('$').Append(parameters.Count);
        }
    }

    /// <summary>Appends one more condition with its parameter (e.g. the keyset cursor).</summary>
    public static void And(StringBuilder sql, string condition, NpgsqlParameter parameter, List<NpgsqlParameter> parameters)
    {
        parameters.Add(parameter);
        sql.Append(" and ").Append(condition.Replace("$?", "$" + parameters.Count, StringComparison.Ordinal));
    }

    private static NpgsqlParameter<DateTime> Time(DateTimeOffset value) =>
        new() { TypedValue = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
