using System.Text.Json;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Scheduling;

/// <summary>Validates schedules and answers the operator calls; the scheduler loop fires them.</summary>
internal sealed class ScheduleService(INexusStore store, INexusTasks tasks, TimeProvider time, IEnumerable<IScheduleTargetHandler> handlers) : INexusSchedules
{
    private static readonly TimeSpan DefaultCatchUp = TimeSpan.FromHours(1);
    // An application's own handler of a kind replaces the built-in one (events, workflows) wherever it was registered.
    private readonly Dictionary<string, IScheduleTargetHandler> _handlers = handlers.GroupBy(h => h.Kind)
        .ToDictionary(g => g.Key, g => g.LastOrDefault(h => h.GetType().Assembly != typeof(ScheduleService).Assembly) ?? g.Last());

    internal IScheduleTargetHandler? Handler(string kind) => _handlers.GetValueOrDefault(kind);

    public async Task<ScheduleRecord> PutAsync(ScheduleSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ScheduleName.Validate(spec.Name);
        var cron = CronSlots.Parse(spec.Cron, spec.TimeZone);
        if (spec.Description is { Length: > 500 }) throw new TaskValidationException("description", "must be at most 500 characters");
        if (!Enum.IsDefined(spec.Misfire)) throw new TaskValidationException("misfire", "must be skip, fire-once or fire-all");
        if (!Enum.IsDefined(spec.Overlap)) throw new TaskValidationException("overlap", "must be skip, buffer-one, allow-all or cancel-previous");
        var window = spec.CatchUpWindow ?? DefaultCatchUp;
        if (window <= TimeSpan.Zero || window > ScheduleLimits.MaxCatchUpWindow) throw new TaskValidationException("catchUpWindow", "must be above zero and at most 7 days");
        var (kind, targetJson) = ParseTarget(spec.Name, spec.Target);
        var now = time.GetUtcNow();
        return await store.Schedules.UpsertAsync(new UpsertScheduleParams
        {
            Name = spec.Name,
            Cron = cron.Text,
            TimeZone = cron.Zone == TimeZoneInfo.Utc ? "UTC" : cron.Zone.Id,
            TargetKind = kind,
            TargetJson = targetJson,
            Misfire = spec.Misfire,
            CatchUpWindow = window,
            Overlap = spec.Overlap,
            Description = spec.Description,
            Cursor = now,
            NextFireAt = cron.Next(now),
            Now = now,
        }, cancellationToken);
    }

    /// <summary>Checks the one-key target object and returns its kind and inner JSON.</summary>
    private (string Kind, string Json) ParseTarget(string name, JsonElement target)
    {
        if (target.ValueKind != JsonValueKind.Object) throw new TaskValidationException("target", "must be an object with one of task, event or workflow");
        var props = target.EnumerateObject().ToList();
        if (props.Count != 1) throw new TaskValidationException("target", "must have exactly one of task, event or workflow");
        var (key, value) = (props[0].Name, props[0].Value);
        if (value.ValueKind != JsonValueKind.Object) throw new TaskValidationException($"target.{key}", "must be an object");
        var json = value.GetRawText();
        switch (key)
        {
            case ScheduleTargetKinds.Task:
                // Resolving it now catches an unknown plugin, bad args or options when the schedule is made, not at its first slot.
                _ = ToNewTask(name, DateTimeOffset.UnixEpoch, json, "target.task.");
                return (key, json);
            case ScheduleTargetKinds.Event:
            case ScheduleTargetKinds.Workflow:
                Require(value, key, key == ScheduleTargetKinds.Event ? ["namespace", "topic"] : ["name"]);
                _handlers.GetValueOrDefault(key)?.Validate(json);
                return (key, json);
            default:
                throw new TaskValidationException("target", $"unknown target '{key}': use task, event or workflow");
        }
    }

    private static void Require(JsonElement value, string key, string[] fields)
    {
        foreach (var f in fields)
        {
            if (!value.TryGetProperty(f, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
            {
                throw new TaskValidationException($"target.{key}.{f}", "is required");
            }
        }
    }

    /// <summary>The task one fire of a task target submits.</summary>
    internal NewTask ToNewTask(string schedule, DateTimeOffset slot, string targetJson, string fieldPrefix = "target.task.")
    {
        TaskTarget? t;
        try
        {
            t = JsonSerializer.Deserialize<TaskTarget>(targetJson, NexusJson.Options);
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException(fieldPrefix.TrimEnd('.'), $"is not a valid task target: {ex.Message}");
        }
        if (t is null || string.IsNullOrWhiteSpace(t.Plugin)) throw new TaskValidationException(fieldPrefix + "plugin", "is required");
        if (t.Args is { } a && a.ValueKind != JsonValueKind.Object) throw new TaskValidationException(fieldPrefix + "args", "must be a JSON object");
        if (t.TimeoutMs is <= 0) throw new TaskValidationException(fieldPrefix + "timeoutMs", "must be above zero");
        var tag = $"schedule:{schedule}";
        var tags = (t.Tags ?? []).ToList();
        if (tag.Length <= 64 && !tags.Contains(tag)) tags.Add(tag);
        var request = new TaskRequest(t.Plugin, t.Args?.GetRawText() ?? "{}", new SubmitOptions
        {
            Queue = t.Queue,
            Priority = t.Priority,
            MaxAttempts = t.MaxAttempts,
            Timeout = t.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            Tags = tags,
        });
        try
        {
            return tasks.Prepare([request])[0];
        }
        catch (TaskValidationException ex)
        {
            throw new TaskValidationException(fieldPrefix + ex.Field, ex.Problem);
        }
        catch (UnknownPluginException ex)
        {
            throw new TaskValidationException(fieldPrefix + "plugin", ex.Message);
        }
    }

    public string? QueueOf(ScheduleRecord s)
    {
        if (s.TargetKind != ScheduleTargetKinds.Task) return null;
        try
        {
            return ToNewTask(s.Name, s.Cursor, s.TargetJson).Queue;
        }
        catch (NexusException)
        {
            return null;
        }
    }

    public string? QueueOf(ScheduleSpec spec) => ParseTarget(spec.Name, spec.Target) is (ScheduleTargetKinds.Task, var json)
        ? ToNewTask(spec.Name, DateTimeOffset.UnixEpoch, json).Queue
        : null;

    public Task<ScheduleRecord?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        store.Schedules.GetAsync(name, cancellationToken);

    public Task<IReadOnlyList<ScheduleRecord>> ListAsync(string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new TaskValidationException("limit", "must be between 1 and 1000");
        return store.Schedules.ListAsync(new ListSchedulesParams { After = after, Limit = limit }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        store.Schedules.DeleteAsync(name, cancellationToken);

    public Task<ScheduleRecord?> PauseAsync(string name, string? reason, DateTimeOffset? resumeAt = null, CancellationToken cancellationToken = default)
    {
        if (reason is { Length: > 500 }) throw new TaskValidationException("reason", "must be at most 500 characters");
        var now = time.GetUtcNow();
        if (resumeAt is { } r && r <= now) throw new TaskValidationException("resumeAt", "must be in the future");
        return store.Schedules.SetPausedAsync(new PauseScheduleParams(name, true) { Reason = reason, ResumeAt = resumeAt, Now = now }, cancellationToken);
    }

    public Task<ScheduleRecord?> ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        store.Schedules.SetPausedAsync(new PauseScheduleParams(name, false) { Now = time.GetUtcNow() }, cancellationToken);

    public async Task<IReadOnlyList<DateTimeOffset>?> PreviewAsync(string name, int count, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > ScheduleLimits.MaxPreview) throw new TaskValidationException("count", $"must be between 1 and {ScheduleLimits.MaxPreview}");
        var s = await store.Schedules.GetAsync(name, cancellationToken);
        if (s is null) return null;
        return CronSlots.Parse(s.Cron, s.TimeZone).Preview(time.GetUtcNow(), count);
    }

    public Task<IReadOnlyList<ScheduleFireRecord>> HistoryAsync(string name, DateTimeOffset? before = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new TaskValidationException("limit", "must be between 1 and 1000");
        return store.Schedules.HistoryAsync(new ScheduleHistoryParams(name) { Before = before, Limit = limit }, cancellationToken);
    }
}
