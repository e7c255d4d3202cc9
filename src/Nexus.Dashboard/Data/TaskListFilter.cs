using System.Globalization;
using Nexus.Dashboard.Access;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Dashboard.Data;

/// <summary>The task list's filters as they arrive in the query string (what the filter form sends), checked and turned
/// into the store's <see cref="TaskQuery"/> (keyset paging on the id) or <see cref="TaskFilter"/> (bulk actions and
/// their count). A caller limited to queues only ever gets a filter inside them.</summary>
public sealed record TaskListFilter
{
    public string? State { get; init; }
    public string? Plugin { get; init; }
    public string? Queue { get; init; }
    public string? Tag { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Before { get; init; }
    public string? Limit { get; init; }
    public string? ArgsPath { get; init; }
    public string? ArgsValue { get; init; }

    /// <summary>The checked filter, or the problems found (each naming its field).</summary>
    public (TaskQuery? Query, IReadOnlyList<string> Errors) ToQuery(IDashboardUser caller, TaskState? fixedState = null)
    {
        var errors = new List<string>();
        TaskState? state = fixedState;
        if (fixedState is null && !string.IsNullOrEmpty(State))
        {
            if (TaskStates.TryParse(State, out var parsed)) state = parsed;
            else errors.Add($"state: must be one of {string.Join(", ", TaskStates.All.Select(s => s.ToName()))}.");
        }
        var plugin = Text(Plugin, "plugin", 128, errors);
        var tag = Text(Tag, "tag", 64, errors);
        var queue = Text(Queue, "queue", 64, errors);
        if (queue is not null && !QueueName.IsValid(queue)) errors.Add("queue: is not a valid queue name.");
        else if (queue is not null && !caller.CanUse(queue)) errors.Add($"queue: '{queue}' is not one of the queues you are limited to.");
        queue ??= caller.Queues?.Order(StringComparer.Ordinal).First();
        var from = Time(From, "from", errors);
        var to = Time(To, "to", errors);
        long? before = null;
        if (!string.IsNullOrEmpty(Before))
        {
            if (long.TryParse(Before, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0) before = b;
            else errors.Add("before: must be a task id (a positive whole number).");
        }
        var limit = 50;
        if (!string.IsNullOrEmpty(Limit) && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500))
        {
            errors.Add("limit: must be between 1 and 500.");
        }
        ArgsMatch? args = null;
        if (!string.IsNullOrWhiteSpace(ArgsPath))
        {
            try
            {
                args = ArgsMatch.Parse(ArgsPath, ArgsValue ?? "");
            }
            catch (TaskValidationException ex)
            {
                errors.Add($"{ex.Field}: {ex.Problem}.");
            }
        }
        else if (!string.IsNullOrEmpty(ArgsValue))
        {
            errors.Add("args.path: is required with an args value (a dotted path such as image.width).");
        }
        if (errors.Count > 0) return (null, errors);
        return (new TaskQuery
        {
            State = state,
            Plugin = plugin,
            Queue = queue,
            Tag = tag,
            CreatedFrom = from,
            CreatedBefore = to,
            Args = args,
            BeforeId = before,
            Limit = limit,
        }, errors);
    }

    /// <summary>The query string of this filter with some values changed (null removes one).</summary>
    public string With(string path, IReadOnlyDictionary<string, string?>? changes = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["state"] = State,
            ["plugin"] = Plugin,
            ["queue"] = Queue,
            ["tag"] = Tag,
            ["from"] = From,
            ["to"] = To,
            ["before"] = Before,
            ["limit"] = Limit,
            ["argsPath"] = ArgsPath,
            ["argsValue"] = ArgsValue,
        };
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>()) values[key] = value;
        var query = string.Join("&", values.Where(kv => !string.IsNullOrEmpty(kv.Value))
            .Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value!)));
        return query.Length == 0 ? path : path + "?" + query;
    }

    private static string? Text(string? value, string field, int max, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        value = value.Trim();
        if (value.Length > max) errors.Add($"{field}: must be at most {max} characters.");
        return value;
    }

    /// <summary>A time as the form's <c>datetime-local</c> input sends it (read as UTC), or ISO 8601 with an offset.</summary>
    private static DateTimeOffset? Time(string? value, string field, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)) return time;
        errors.Add($"{field}: is not a time (use yyyy-MM-ddTHH:mm, UTC).");
        return null;
    }
}
