using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Validates and submits tasks and answers operator actions; wakes the local dispatcher on submit.</summary>
internal sealed class TaskService(
    PluginRegistry registry,
    INexusStore store,
    IOptions<NexusOptions> options,
    WakeSignal wake,
    TimeProvider time,
    NexusMetrics metrics,
    ExternalPluginCatalog externals) : INexusTasks, INexusTaskSignals
{
    private const int MaxUniqueKeyLength = 255;
    private const int MaxTags = 32;
    private const int MaxTagLength = 64;
    private readonly StoreClock _clock = new(time);
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();

    public Task<SubmitResult> SubmitAsync<TArgs>(string plugin, TArgs args, SubmitOptions? submitOptions = null, CancellationToken cancellationToken = default) =>
        SubmitJsonAsync(plugin, JsonSerializer.Serialize(args, NexusJson.Options), submitOptions, cancellationToken);

    public async Task<SubmitResult> SubmitJsonAsync(string plugin, string argsJson, SubmitOptions? submitOptions = null, CancellationToken cancellationToken = default)
    {
        await EnsureExternalsAsync([plugin], cancellationToken);
        using var span = NexusActivities.StartSubmit(1);
        var results = await InsertAsync([Resolve(new TaskRequest(plugin, argsJson, submitOptions), "", TaskTraceContext.Capture(Activity.Current))], span, cancellationToken);
        return results[0];
    }

    public async Task<IReadOnlyList<SubmitResult>> SubmitManyAsync(IReadOnlyList<TaskRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        await EnsureExternalsAsync(requests.Select(r => r?.Plugin), cancellationToken);
        using var span = NexusActivities.StartSubmit(requests.Count);
        return await InsertAsync(Prepare(requests), span, cancellationToken);
    }

    /// <summary>Plugins that are not local may be declared by external workers (on any node): make sure the catalog
    /// has seen the latest declarations of those named.</summary>
    private Task EnsureExternalsAsync(IEnumerable<string?> plugins, CancellationToken cancellationToken)
    {
        var names = plugins.Where(p => !string.IsNullOrEmpty(p) && !registry.TryGet(p, out _)).Select(p => p!).ToList();
        return names.Count == 0 ? Task.CompletedTask : externals.EnsureAsync(names, cancellationToken);
    }

    /// <inheritdoc/>
    public event Action<IReadOnlyCollection<string>?>? TasksReady;

    public IReadOnlyList<NewTask> Prepare(IReadOnlyList<TaskRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0) throw new TaskValidationException("tasks", "must contain at least one task");
        // Every row of one call continues the same trace: the submit span's, or the caller's own (a transactional submit).
        var trace = TaskTraceContext.Capture(Activity.Current);
        var rows = new NewTask[requests.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Resolve(requests[i], requests.Count == 1 ? "" : $"tasks[{i}].", trace);
        }
        return rows;
    }

    private async Task<IReadOnlyList<SubmitResult>> InsertAsync(IReadOnlyList<NewTask> rows, Activity? span, CancellationToken cancellationToken)
    {
        IReadOnlyList<SubmitResult> results;
        try
        {
            results = await store.Tasks.InsertAsync(new InsertTasksParams(rows) { Now = _clock.Now }, cancellationToken);
        }
        catch (Exception ex) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, ex.Message);
            span.AddException(ex);
            throw;
        }
        wake.Set();
        metrics.Submitted(rows, results);
        if (span is { IsAllDataRequested: true } && results.Count > 0)
        {
            span.SetTag("nexus.plugin", rows[0].Plugin);
            span.SetTag("nexus.queue", rows[0].Queue);
            span.SetTag("nexus.task.id", results[0].Id);
        }
        TasksReady?.Invoke([.. rows.Select(r => r.Queue).Distinct(StringComparer.Ordinal)]);
        return results;
    }

    private NewTask Resolve(TaskRequest request, string prefix, string? traceContext)
    {
        if (request is null) throw new TaskValidationException(prefix + "task", "must not be null");
        if (string.IsNullOrWhiteSpace(request.Plugin)) throw new TaskValidationException(prefix + "plugin", "is required");
        var o = request.Options ?? new SubmitOptions();
        if (!registry.TryGet(request.Plugin, out var plugin))
        {
            return ResolveExternal(request, o, prefix, traceContext);
        }
        if (request.ArgsJson is null) throw new TaskValidationException(prefix + "args", "is required (use {} for none)");
        CheckSize(request.ArgsJson, prefix);
        try
        {
            // Args that carry a claim-check reference (an upstream output stored as an artifact) are checked when the
            // attempt binds them, after the engine swapped the reference for the value.
            if (!Artifacts.ArtifactReference.MayContain(request.ArgsJson)) plugin.Invoker.Validate(request.ArgsJson);
        }
        catch (TaskValidationException ex) when (prefix.Length > 0)
        {
            throw new TaskValidationException(prefix + ex.Field, ex.Problem);
        }

        return Finish(request, o, prefix, plugin.Name, o.Queue ?? plugin.Queue, plugin.MaxAttempts, plugin.Timeout, traceContext);
    }

    /// <summary>A plugin served by external workers: args checked against its declared schema, and its tasks always in
    /// its declared queue, the one its workers lease from.</summary>
    private NewTask ResolveExternal(TaskRequest request, SubmitOptions o, string prefix, string? traceContext)
    {
        if (!externals.TryGet(request.Plugin, out var external))
        {
            throw new UnknownPluginException(request.Plugin, registry.All.Select(p => p.Name).Concat(externals.Names));
        }
        var declared = external.Plugin;
        if (request.ArgsJson is null) throw new TaskValidationException(prefix + "args", "is required (use {} for none)");
        CheckSize(request.ArgsJson, prefix);
        try
        {
            external.Schema.Validate(request.ArgsJson);
        }
        catch (TaskValidationException ex) when (prefix.Length > 0)
        {
            throw new TaskValidationException(prefix + ex.Field, ex.Problem);
        }
        if (o.Queue is { } asked && asked != declared.Queue)
        {
            throw new TaskValidationException(prefix + "queue", $"plugin {declared.Name} is served by external workers from queue '{declared.Queue}'; leave queue out or use that one");
        }
        return Finish(request, o, prefix, declared.Name, declared.Queue, declared.MaxAttempts, declared.Timeout, traceContext);
    }

    private void CheckSize(string argsJson, string prefix)
    {
        var size = Encoding.UTF8.GetByteCount(argsJson);
        var max = options.Value.MaxArgsBytes;
        if (size > max) throw new TaskValidationException(prefix + "args", $"is {size} bytes; the limit is {max} bytes (store large inputs as files and pass their path)");
    }

    private NewTask Finish(TaskRequest request, SubmitOptions o, string prefix, string pluginName, string queue, int? pluginMaxAttempts, TimeSpan? pluginTimeout, string? traceContext)
    {
        var opts = options.Value;
        QueueName.Validate(queue, prefix + "queue");
        var maxAttempts = o.MaxAttempts ?? pluginMaxAttempts ?? opts.DefaultMaxAttempts;
        if (maxAttempts is < 1 or > 1000) throw new TaskValidationException(prefix + "maxAttempts", $"must be between 1 and 1000 (was {maxAttempts})");
        if (o.RunAt is not null && o.Delay is not null) throw new TaskValidationException(prefix + "delay", "give runAt or delay, not both");
        CheckBounds(o, prefix);
        o.Retry?.Validate(prefix + "retry");
        if (o.Owner is { } owner && (string.IsNullOrWhiteSpace(owner) || owner.Length > 200))
        {
            throw new TaskValidationException(prefix + "owner", "must be 1–200 non-blank characters");
        }
        if (o.UniqueKey is { } key && (key.Length == 0 || key.Length > MaxUniqueKeyLength))
        {
            throw new TaskValidationException(prefix + "uniqueKey", $"must be 1–{MaxUniqueKeyLength} characters");
        }
        var tags = o.Tags ?? [];
        if (tags.Count > MaxTags) throw new TaskValidationException(prefix + "tags", $"at most {MaxTags} tags");
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i]) || tags[i].Length > MaxTagLength)
            {
                throw new TaskValidationException($"{prefix}tags[{i}]", $"must be 1–{MaxTagLength} non-blank characters");
            }
        }
        return new NewTask
        {
            Plugin = pluginName,
            ArgsJson = request.ArgsJson!,
            Queue = queue,
            Priority = o.Priority,
            RunAt = o.RunAt,
            Delay = o.Delay,
            MaxAttempts = maxAttempts,
            Retry = o.Retry,
            Timeout = o.Timeout ?? pluginTimeout,
            UniqueKey = o.UniqueKey,
            Tags = tags,
            TraceContext = traceContext,
            Waiting = o.Waiting,
            Owner = o.Owner,
        };
    }

    /// <summary>Every instant and duration inside <see cref="TaskBounds"/>, so that both stores and the engine can hold it.</summary>
    private void CheckBounds(SubmitOptions o, string prefix)
    {
        if (o.Delay < TimeSpan.Zero) throw new TaskValidationException(prefix + "delay", "must not be negative");
        if (o.Delay > TaskBounds.MaxDelay) throw new TaskValidationException(prefix + "delay", $"must be at most {TaskBounds.Describe(TaskBounds.MaxDelay)}");
        if (o.RunAt is { } runAt)
        {
            if (runAt < TaskBounds.MinRunAt) throw new TaskValidationException(prefix + "runAt", "must not be before 1970-01-01T00:00:00Z");
            if (runAt > TaskBounds.LatestRunAt(time.GetUtcNow())) throw new TaskValidationException(prefix + "runAt", $"must be at most {TaskBounds.Describe(TaskBounds.MaxDelay)} from now");
        }
        if (o.Timeout is { } t && t <= TimeSpan.Zero) throw new TaskValidationException(prefix + "timeout", "must be positive");
        if (o.Timeout > TaskBounds.MaxTimeout) throw new TaskValidationException(prefix + "timeout", $"must be at most {TaskBounds.Describe(TaskBounds.MaxTimeout)}");
    }

    public Task<TaskRecord?> GetAsync(long id, CancellationToken cancellationToken = default) => store.Tasks.GetAsync(id, cancellationToken);

    public Task<TaskPage> ListAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Limit is < 1 or > 1000) throw new TaskValidationException("limit", $"must be between 1 and 1000 (was {query.Limit})");
        if (query.ArgsScanWindow is < 1 or > 1_000_000) throw new TaskValidationException("argsScanWindow", $"must be between 1 and 1000000 (was {query.ArgsScanWindow})");
        if (query.Queue is not null) QueueName.Validate(query.Queue);
        return store.Tasks.ListAsync(query, cancellationToken);
    }

    public async Task<TaskRecord> WaitAsync(long id, CancellationToken cancellationToken = default)
    {
        // Completions in this process signal the waiter at once; a poll covers work finished by other processes.
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var waiter = _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var task = await store.Tasks.GetAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"No task with id {id}.");
            if (task.State.IsTerminal())
            {
                _waiters.TryRemove(id, out _);
                return task;
            }
            await Task.WhenAny(waiter.Task, Task.Delay(delay, time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>Tasks may be ready in queues this process cannot name (retries): wake the local dispatcher and listeners.</summary>
    public void Wake() => Woken();

    internal void Woken()
    {
        wake.Set();
        TasksReady?.Invoke(null);
    }

    /// <summary>Called by the engine after completions are stored.</summary>
    internal void NotifyFinished(long id)
    {
        if (_waiters.TryRemove(id, out var waiter)) waiter.TrySetResult();
    }

    public async Task<CancelOutcome> CancelAsync(long id, CancellationToken cancellationToken = default)
    {
        var outcome = await store.Tasks.CancelAsync(new TaskActionParams(id) { Now = _clock.Now }, cancellationToken);
        if (outcome == CancelOutcome.Cancelled)
        {
            NotifyFinished(id);
            // The labels need the task's plugin and queue; an operator action, so one more read is fine.
            if (metrics.CountsCancels && await store.Tasks.GetAsync(id, cancellationToken) is { } cancelled) metrics.Cancelled(cancelled.Plugin, cancelled.Queue);
        }
        CancelRequested?.Invoke(id);
        return outcome;
    }

    /// <summary>Lets the local engine stop a running task at once instead of at its next heartbeat.</summary>
    internal event Action<long>? CancelRequested;

    public Task<RetryOutcome> RetryAsync(long id, CancellationToken cancellationToken = default) => RetryAsync(id, null, cancellationToken);

    public async Task<RetryOutcome> RetryAsync(long id, string? argsJson, CancellationToken cancellationToken = default)
    {
        if (argsJson is not null)
        {
            if (await store.Tasks.GetAsync(id, cancellationToken) is not { } task) return RetryOutcome.NotFound;
            await EnsureExternalsAsync([task.Plugin], cancellationToken);
            ValidateArgs(task.Plugin, argsJson);
        }
        var outcome = await store.Tasks.RetryAsync(new TaskActionParams(id) { Now = _clock.Now, ArgsJson = argsJson }, cancellationToken);
        if (outcome == RetryOutcome.Retried) Woken();
        return outcome;
    }

    /// <summary>New args for an existing task of <paramref name="plugin"/>, checked as a submit checks them.</summary>
    private void ValidateArgs(string plugin, string argsJson)
    {
        CheckSize(argsJson, "");
        if (registry.TryGet(plugin, out var local))
        {
            if (!Artifacts.ArtifactReference.MayContain(argsJson)) local.Invoker.Validate(argsJson);
        }
        else if (externals.TryGet(plugin, out var external))
        {
            external.Schema.Validate(argsJson);
        }
        else
        {
            throw new UnknownPluginException(plugin, registry.All.Select(p => p.Name).Concat(externals.Names));
        }
    }

    public Task<DeleteOutcome> DeleteAsync(long id, CancellationToken cancellationToken = default) =>
        store.Tasks.DeleteAsync(new TaskActionParams(id) { Now = _clock.Now }, cancellationToken);

    public async Task<int> ReleaseAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count > ReleaseParams.MaxIds) throw new TaskValidationException("ids", $"at most {ReleaseParams.MaxIds} per call (had {ids.Count})");
        if (ids.Count == 0) return 0;
        var released = await store.Tasks.ReleaseAsync(new ReleaseParams(ids) { Now = _clock.Now }, cancellationToken);
        if (released > 0) Woken();
        return released;
    }

    public async Task<int> RetryManyAsync(TaskFilter filter, int max, CancellationToken cancellationToken = default)
    {
        var p = new BulkTaskParams(filter, max) { Now = _clock.Now };
        p.Validate();
        var retried = await store.Tasks.RetryManyAsync(p, cancellationToken);
        if (retried > 0) Woken();
        return retried;
    }

    public Task<int> DeleteManyAsync(TaskFilter filter, int max, CancellationToken cancellationToken = default)
    {
        var p = new BulkTaskParams(filter, max) { Now = _clock.Now };
        p.Validate();
        return store.Tasks.DeleteManyAsync(p, cancellationToken);
    }
}
