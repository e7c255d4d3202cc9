using System.Text.Json;
using Nexus.Plugins;
using Nexus.Contracts;
using Nexus.Server.Auth;
using Nexus.Tasks;

namespace Nexus.Server.Api;

/// <summary>Turns HTTP submit bodies into engine requests, checking what only HTTP has (durations in text, the caller's
/// queue limit) and translating the engine's field names into the body's (e.g. <c>timeout</c> → <c>timeoutMs</c>).</summary>
internal static class SubmitMapping
{
    public static TaskRequest ToRequest(SubmitTaskRequest? r, string prefix, Caller caller, PluginRegistry registry, IReadOnlyDictionary<string, string>? externalQueues = null)
    {
        if (r is null) throw ApiProblemException.Invalid(prefix.Length == 0 ? "body" : prefix.TrimEnd('.'), "must be a task object");
        if (string.IsNullOrWhiteSpace(r.Plugin)) throw ApiProblemException.Invalid(prefix + "plugin", "is required");
        if (r.Args is not { } args) throw ApiProblemException.Invalid(prefix + "args", "is required (use {} for none)");
        if (args.ValueKind != JsonValueKind.Object) throw ApiProblemException.Invalid(prefix + "args", "must be a JSON object");

        var delays = (r.RunAt is null ? 0 : 1) + (r.DelayMs is null ? 0 : 1) + (r.Delay is null ? 0 : 1);
        if (delays > 1) throw ApiProblemException.Invalid(prefix + (r.Delay is not null ? "delay" : "delayMs"), "give only one of runAt, delayMs and delay");
        TimeSpan? delay = null;
        if (r.DelayMs is { } ms)
        {
            if (ms < 0) throw ApiProblemException.Invalid(prefix + "delayMs", "must not be negative");
            delay = Milliseconds(ms, TaskBounds.MaxDelay, prefix + "delayMs");
        }
        if (r.Delay is { } text)
        {
            delay = Durations.Parse(text) switch
            {
                { Overflowed: true } => throw ApiProblemException.Invalid(prefix + "delay", $"must be at most {TaskBounds.Describe(TaskBounds.MaxDelay)}"),
                { Duration: { } parsed } => parsed,
                _ => throw ApiProblemException.Invalid(prefix + "delay", $"'{QueryValues.Shorten(text)}' is not a duration: use e.g. 30s, 5m, 1h30m or PT30S"),
            };
        }
        if (r.TimeoutMs is <= 0) throw ApiProblemException.Invalid(prefix + "timeoutMs", "must be positive");
        var timeout = r.TimeoutMs is { } timeoutMs ? Milliseconds(timeoutMs, TaskBounds.MaxTimeout, prefix + "timeoutMs") : (TimeSpan?)null;

        // An external plugin of a queue the caller may not use does not exist for it (nor does its queue's name).
        if (caller.IsLimited && !registry.TryGet(r.Plugin, out _) && externalQueues?.GetValueOrDefault(r.Plugin) is var served && (served is null || !caller.CanUse(served)))
        {
            throw UnknownPlugin(r.Plugin, prefix + "plugin", registry, externalQueues, caller);
        }
        var queue = r.Queue ?? (registry.TryGet(r.Plugin, out var plugin) ? plugin.Queue : externalQueues?.GetValueOrDefault(r.Plugin));
        if (queue is not null && QueueName.IsValid(queue)) caller.EnsureQueue(queue, prefix + "queue");

        return new TaskRequest(r.Plugin, args.GetRawText(), new SubmitOptions
        {
            Queue = r.Queue,
            Priority = r.Priority ?? 0,
            RunAt = r.RunAt,
            Delay = delay,
            MaxAttempts = r.MaxAttempts,
            Retry = r.Retry is { } retry ? Retry(retry, prefix + "retry.") : null,
            Timeout = timeout,
            UniqueKey = r.UniqueKey,
            Tags = r.Tags,
        });
    }

    /// <summary>Milliseconds from the body as a duration, refused above <paramref name="max"/> before any conversion
    /// (a <see cref="TimeSpan"/> overflows long before a JSON integer does).</summary>
    private static TimeSpan Milliseconds(long ms, TimeSpan max, string field) =>
        ms <= (long)max.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : throw ApiProblemException.Invalid(field, $"must be at most {TaskBounds.Describe(max)}");

    private static RetryPolicy Retry(RetryRequest r, string prefix)
    {
        static TimeSpan Ms(double value, string field)
        {
            if (double.IsNaN(value) || value < 0) throw ApiProblemException.Invalid(field, "must not be negative");
            var longest = TaskBounds.MaxRetryDelay;
            return value <= longest.TotalMilliseconds ? TimeSpan.FromMilliseconds(value) : throw ApiProblemException.Invalid(field, $"must be at most {TaskBounds.Describe(longest)}");
        }
        var defaults = RetryPolicy.Default;
        return new RetryPolicy
        {
            InitialDelay = r.InitialDelayMs is { } initial ? Ms(initial, prefix + "initialDelayMs") : defaults.InitialDelay,
            Multiplier = r.Multiplier ?? defaults.Multiplier,
            MaxDelay = r.MaxDelayMs is { } max ? Ms(max, prefix + "maxDelayMs") : defaults.MaxDelay,
            Jitter = r.Jitter ?? defaults.Jitter,
        };
    }

    /// <summary>The engine's validation error with the field named as in the HTTP body.</summary>
    public static ApiProblemException Translate(TaskValidationException ex, string prefix, bool usedDelayMs)
    {
        var field = ex.Field;
        if (prefix.Length > 0 && !field.StartsWith(prefix, StringComparison.Ordinal)) field = prefix + field;
        if (field.EndsWith("timeout", StringComparison.Ordinal) || field.EndsWith("initialDelay", StringComparison.Ordinal) || field.EndsWith("maxDelay", StringComparison.Ordinal))
        {
            field += "Ms";
        }
        else if (usedDelayMs && field.EndsWith("delay", StringComparison.Ordinal))
        {
            field += "Ms";
        }
        return ApiProblemException.Invalid(field, ex.Problem);
    }

    /// <summary>The queues of external plugins, read only for a caller limited to queues who names a plugin the server
    /// does not have (its tasks go to the declared queue, which the limit must allow).</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> ExternalQueuesAsync(
        Caller caller, IEnumerable<string?> plugins, PluginRegistry registry, Storage.INexusStore store, CancellationToken cancellationToken)
    {
        if (caller.Queues is null || plugins.All(p => p is null || registry.TryGet(p, out _))) return null;
        return (await store.ExternalPlugins.ListAsync(cancellationToken)).ToDictionary(p => p.Name, p => p.Queue, StringComparer.Ordinal);
    }

    /// <summary>The engine's unknown-plugin error; for a caller limited to queues, naming only the plugins it may see.</summary>
    public static ApiProblemException UnknownPlugin(UnknownPluginException ex, string field, Caller caller, PluginRegistry registry, IReadOnlyDictionary<string, string>? externalQueues) =>
        caller.IsLimited ? UnknownPlugin(ex.Plugin, field, registry, externalQueues, caller) : new(400, "unknown-plugin", "Unknown plugin", $"{field}: {ex.Message}", field);

    private static ApiProblemException UnknownPlugin(string name, string field, PluginRegistry registry, IReadOnlyDictionary<string, string>? externalQueues, Caller caller)
    {
        var visible = registry.All.Select(p => p.Name)
            .Concat((externalQueues ?? new Dictionary<string, string>()).Where(e => caller.CanUse(e.Value)).Select(e => e.Key))
            .Distinct(StringComparer.Ordinal);
        return new(400, "unknown-plugin", "Unknown plugin", $"{field}: {new UnknownPluginException(name, visible).Message}", field);
    }
}
