using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Runs claimed attempts, turns each outcome into a completion for the completer, and tracks free slots.</summary>
internal sealed class Executor(
    PluginRegistry registry,
    NexusOptions options,
    IServiceScopeFactory scopes,
    Completer completer,
    INexusStore store,
    StoreClock clock,
    ILoggerFactory loggerFactory,
    NexusMetrics metrics,
    CancellationToken hardStop) : IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Nexus.Executor");
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly Random _jitter = new();
    private readonly Lock _jitterLock = new();
    private readonly Lock _drainLock = new();
    private TaskCompletionSource? _drained;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(long Id, Guid Token), RunningTask> _awaitingStore = new();
    private int _inFlight;

    public RunningTasks Running { get; } = new();

    /// <summary>Raised whenever a slot frees up.</summary>
    public WakeSignal SlotFreed { get; } = new();

    public int FreeSlots => options.Concurrency - Volatile.Read(ref _inFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Completes when nothing is in flight.</summary>
    public Task DrainedAsync()
    {
        lock (_drainLock)
        {
            if (Volatile.Read(ref _inFlight) == 0) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    public void Dispose() => SlotFreed.Dispose();

    /// <summary>Reserves up to <paramref name="max"/> worker slots for a claim, atomically, so that several claim loops
    /// never hand out more attempts than <see cref="NexusOptions.Concurrency"/>. Returns how many were reserved.</summary>
    public int Reserve(int max)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            var take = Math.Min(max, options.Concurrency - current);
            if (take <= 0) return 0;
            if (Interlocked.CompareExchange(ref _inFlight, current + take, current) == current) return take;
        }
    }

    /// <summary>Gives back reserved slots a claim did not fill.</summary>
    public void Release(int slots)
    {
        if (slots <= 0) return;
        if (Interlocked.Add(ref _inFlight, -slots) == 0) SignalDrained();
        SlotFreed.Set();
    }

    /// <summary>Runs a claimed task in a slot reserved by <see cref="Reserve"/>.</summary>
    public void Start(TaskRecord task)
    {
        var running = new RunningTask(task);
        Running.Add(running);
        metrics.Started(task);
        _ = Task.Run(() => RunAsync(running), CancellationToken.None);
    }

    private async Task RunAsync(RunningTask running)
    {
        var task = running.Record;
        TaskCompletion completion;
        running.StartedAt = clock.Time.GetTimestamp();
        try
        {
            completion = await ExecuteAsync(running).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Only engine faults land here (plugin faults are outcomes); hand the task back rather than lose it.
            _logger.LogError(ex, "Engine fault while running task {TaskId}; handing it back.", task.Id);
            completion = new TaskCompletion(task.Id, task.LeaseToken!.Value, CompletionKind.Released);
        }
        running.Duration = clock.Time.GetElapsedTime(running.StartedAt);
        // The attempt keeps its slot and its place among the heartbeated leases until its completion is stored:
        // otherwise fast tasks are claimed faster than their outcomes are written, the backlog of unwritten
        // completions grows without bound, and their unrenewed leases expire into rescues and second runs.
        _awaitingStore[(task.Id, task.LeaseToken!.Value)] = running;
        completer.Enqueue(completion);
    }

    /// <summary>Called once a completion was written (or given up on): counts an accepted outcome and frees the attempt's slot.</summary>
    public void OnStored(TaskCompletion completion, bool accepted)
    {
        if (!_awaitingStore.TryRemove((completion.Id, completion.LeaseToken), out var running)) return;
        if (accepted) metrics.Stored(running.Record, completion.Kind, running.Duration);
        Running.Remove(running);
        running.Dispose();
        Release(1);
    }

    private void SignalDrained()
    {
        lock (_drainLock)
        {
            _drained?.TrySetResult();
            _drained = null;
        }
    }

    private async Task<TaskCompletion> ExecuteAsync(RunningTask running)
    {
        var task = running.Record;
        var token = task.LeaseToken!.Value;
        if (!registry.TryGet(task.Plugin, out var plugin))
        {
            // Claims are filtered by plugin, so this only happens if the registry changed under us.
            return Fail(task, token, new PermanentTaskException($"Plugin '{task.Plugin}' is not registered on node {options.NodeId}."), permanent: true);
        }
        // Submits are bounded and stores read timeouts clamped; the clamp here keeps a timer the runtime refuses from
        // ever turning an attempt into an engine fault.
        var timeout = task.Timeout;
        using var timeoutCts = timeout is { } t ? new CancellationTokenSource(TaskBounds.ClampTimeout(t), clock.Time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(hardStop, timeoutCts.Token, running.Cancel.Token, running.LeaseLost.Token);
        if (task.CancelRequested) await running.Cancel.CancelAsync();

        var logger = _loggers.GetOrAdd(plugin.Name, static (name, factory) => factory.CreateLogger("Nexus.Task." + name), loggerFactory);
        using var scope = scopes.CreateAsyncScope();
        using var span = StartExecution(task, out var traceId);
        // Scopes belong to the logger factory, so the engine's own lines about this attempt carry them too.
        using var logScope = logger.BeginScope(new TaskLogScope(task, traceId));
        var progress = new ProgressWriter(store, clock, task.Id, token, _logger);
        var context = new TaskContext
        {
            TaskId = task.Id,
            Plugin = task.Plugin,
            Queue = task.Queue,
            Attempt = task.Attempt,
            MaxAttempts = task.MaxAttempts,
            Tags = task.Tags,
            CancellationToken = linked.Token,
            Logger = logger,
            Services = scope.ServiceProvider,
            OnProgress = progress.ReportAsync,
        };
        var completion = await InvokeAsync(running, plugin, context, progress, timeoutCts, scope.ServiceProvider).ConfigureAwait(false);
        if (span is not null) EndExecution(span, completion);
        return completion;
    }

    private async Task<TaskCompletion> InvokeAsync(
        RunningTask running, PluginDescriptor plugin, TaskContext context, ProgressWriter progress, CancellationTokenSource timeoutCts, IServiceProvider services)
    {
        var task = running.Record;
        var token = task.LeaseToken!.Value;
        var timeout = task.Timeout;
        try
        {
            var result = await plugin.Invoker.InvokeAsync(services, task.ArgsJson, context).ConfigureAwait(false);
            await progress.FlushAsync().ConfigureAwait(false);
            return new TaskCompletion(task.Id, token, CompletionKind.Succeeded) { ResultJson = result };
        }
        catch (SnoozeTaskException snooze)
        {
            return new TaskCompletion(task.Id, token, CompletionKind.Snoozed) { Delay = TaskBounds.ClampRetryDelay(snooze.Delay) };
        }
        catch (PermanentTaskException ex)
        {
            return Fail(task, token, ex, permanent: true);
        }
        catch (Exception ex) when (running.Cancel.IsCancellationRequested)
        {
            return new TaskCompletion(task.Id, token, CompletionKind.Cancelled) { Error = ErrorOf(task, new OperationCanceledException("Cancelled by request.", ex)) };
        }
        catch (OperationCanceledException ex) when (timeoutCts.IsCancellationRequested)
        {
            return Fail(task, token, new TimeoutException($"The attempt exceeded its timeout of {timeout}.", ex), permanent: false);
        }
        catch (Exception) when (hardStop.IsCancellationRequested || running.LeaseLost.IsCancellationRequested)
        {
            // Shutdown deadline passed (or the lease is gone): give the task back without spending the attempt.
            return new TaskCompletion(task.Id, token, CompletionKind.Released);
        }
        catch (Exception ex)
        {
            return Fail(task, token, ex, permanent: false);
        }
    }

    /// <summary>Starts the Consumer span of the attempt as a child of the submit's stored context (a new trace when
    /// there is none). <paramref name="traceId"/> is the trace the attempt's log lines name, even without a listener.</summary>
    private Activity? StartExecution(TaskRecord task, out string? traceId)
    {
        var hasParent = TaskTraceContext.TryParse(task.TraceContext, out var parent);
        Activity? span = null;
        if (NexusActivities.Source.HasListeners())
        {
            span = NexusActivities.Source.StartActivity(NexusActivities.ExecuteName, ActivityKind.Consumer, hasParent ? parent : default);
            if (span is { IsAllDataRequested: true })
            {
                span.SetTag("messaging.system", "nexus");
                span.SetTag("messaging.operation.type", "process");
                span.SetTag("nexus.task.id", task.Id);
                span.SetTag("nexus.plugin", task.Plugin);
                span.SetTag("nexus.queue", task.Queue);
                span.SetTag("nexus.attempt", task.Attempt);
                span.SetTag("nexus.node", options.NodeId);
            }
        }
        traceId = span is not null ? span.TraceId.ToHexString() : hasParent ? parent.TraceId.ToHexString() : null;
        return span;
    }

    private static void EndExecution(Activity span, TaskCompletion completion)
    {
        span.SetTag("nexus.outcome", completion.Kind.ToString());
        if (completion.Kind is CompletionKind.Retry or CompletionKind.Dead && completion.Error is { } error)
        {
            span.SetStatus(ActivityStatusCode.Error, error.Message);
            span.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
            {
                { "exception.type", error.Type },
                { "exception.message", error.Message },
                { "exception.stacktrace", error.StackTrace },
            }));
        }
    }

    private TaskCompletion Fail(TaskRecord task, Guid token, Exception ex, bool permanent)
    {
        var error = ErrorOf(task, ex);
        if (permanent || task.Attempt >= task.MaxAttempts)
        {
            _logger.LogWarning("Task {TaskId} ({Plugin}) failed attempt {Attempt}/{Max} and is dead: {Error}", task.Id, task.Plugin, task.Attempt, task.MaxAttempts, ex.Message);
            return new TaskCompletion(task.Id, token, CompletionKind.Dead) { Error = error };
        }
        var policy = task.Retry ?? (registry.TryGet(task.Plugin, out var p) ? p.Retry : null) ?? options.DefaultRetry;
        TimeSpan delay;
        lock (_jitterLock) delay = policy.DelayAfter(task.Attempt, _jitter);
        _logger.LogInformation("Task {TaskId} ({Plugin}) failed attempt {Attempt}/{Max}; retrying in {Delay}: {Error}", task.Id, task.Plugin, task.Attempt, task.MaxAttempts, delay, ex.Message);
        return new TaskCompletion(task.Id, token, CompletionKind.Retry) { Error = error, Delay = delay };
    }

    private AttemptError ErrorOf(TaskRecord task, Exception ex) =>
        new(task.Attempt, clock.Time.GetUtcNow(), ex.GetType().Name, ex.Message, ex.StackTrace);
}
