using System.Text;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>The one translation of a <see cref="TaskFilter"/> into SQL, shared by listing and the bulk actions:
/// constant fragments appended to a WHERE clause, every value a parameter.</summary>
internal static class SqliteTaskFilter
{
    public static void Append(StringBuilder where, TaskFilter f, List<(string Name, object Value)> parameters)
    {
        void Add(string condition, string name, object value)
        {
            where.Append(" AND ").Append(condition);
            parameters.Add((name, value));
        }
        if (f.State is { } state) Add("state = $state", "$state", state.ToName());
        if (f.Plugin is not null) Add("plugin = $plugin", "$plugin", f.Plugin);
        if (f.Queue is not null) Add("queue = $queue", "$queue", f.Queue);
        if (f.Tag is not null) Add("EXISTS (SELECT 1 FROM json_each(tags) WHERE value = $tag)", "$tag", f.Tag);
        if (f.CreatedFrom is { } from) Add("created_at >= $from", "$from", from.ToUnixTimeMilliseconds());
        if (f.CreatedBefore is { } before) Add("created_at < $before", "$before", before.ToUnixTimeMilliseconds());
        if (f.FinishedBefore is { } finished) Add("finished_at < $finished", "$finished", finished.ToUnixTimeMilliseconds());
        if (f.Unowned) where.Append(" AND (owner IS NULL OR owner LIKE 'event:%')");
        if (f.Args is { } args) AppendArgs(where, args, parameters);
    }

    /// <summary>The value at the path, compared with its JSON type: a string as text, a number as a number, true,
    /// false and null by type alone.</summary>
    private static void AppendArgs(StringBuilder where, ArgsMatch args, List<(string Name, object Value)> parameters)
    {
        var path = new StringBuilder("$");
        foreach (var segment in args.Segments)
        {
            if (segment.All(char.IsAsciiDigit)) path.Append('[').Append(segment).Append(']');
            else path.Append(".\"").Append(segment).Append('"');
        }
        parameters.Add(("$argsPath", path.ToString()));
        switch (args.Kind)
        {
            case System.Text.Json.JsonValueKind.String:
                where.Append(" AND json_type(args, $argsPath) = 'text' AND json_extract(args, $argsPath) = $argsValue");
                parameters.Add(("$argsValue", args.Text!));
                break;
            case System.Text.Json.JsonValueKind.Number:
                where.Append(" AND json_type(args, $argsPath) IN ('integer', 'real') AND json_extract(args, $argsPath) = $argsValue");
                parameters.Add(("$argsValue", args.Number!.Value));
                break;
            default:
                where.Append(" AND json_type(args, $argsPath) = $argsType");
                parameters.Add(("$argsType", args.Kind switch { System.Text.Json.JsonValueKind.True => "true", System.Text.Json.JsonValueKind.False => "false", _ => "null" }));
                break;
        }
    }
}
