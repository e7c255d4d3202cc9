using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Plugins;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Engine;

/// <summary>Runs claimed attempts and turns each outcome into a completion for the completer. Slots are not leases:
/// a slot bounds how many attempts execute at once and is freed the moment an attempt has an outcome; the outcome
/// then waits in the completer's bounded buffer while its lease keeps being renewed, and a full buffer pauses
/// claiming. When attempts are short, claims may also take a few tasks more than the free slots (a local prefetch
/// queue, leases renewed as well), so that no slot idles for a claim round trip.</summary>
internal sealed class Executor(
    PluginRegistry registry,
    NexusOptions options,
    IServiceScopeFactory scopes,
    Completer completer,
    INexusStore store,
    StoreClock clock,
    ILoggerFactory loggerFactory,
    Attempts.AttemptPipeline attempts,
    Artifacts.ClaimCheck claimCheck,
    Artifacts.ArtifactOptions artifactOptions,
    CancellationToken hardStop) : IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Nexus.Executor");
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly Lock _drainLock = new();
    private TaskCompletionSource? _drained;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(long Id, Guid Token), RunningTask> _awaitingStore = new();
    private readonly Lock _slots = new();
    private readonly Queue<RunningTask> _ready = new();
    private readonly AttemptDurations _durations = new();
    private int _executing;
    private int _reserved;
    private int _awaiting;
    private bool _stopping;

    public RunningTasks Running { get; } = new();

    /// <summary>Raised whenever room to claim may have grown: a slot freed, a completion stored.</summary>
    public WakeSignal SlotFreed { get; } = new();

    /// <summary>Tasks this process holds and has not finished: executing, waiting here for a slot, or being claimed.</summary>
    public int InFlight
    {
        get
        {
            lock (_slots) return _executing + _ready.Count + _reserved;
        }
    }

    /// <summary>How many tasks a claim may take now: the free slots, plus the prefetch allowance while attempts are
    /// short, capped by the claim batch and by the room left in the completion buffer.</summary>
    public int ClaimRoom
    {
        get
        {
            lock (_slots) return RoomLocked();
        }
    }

    /// <summary>The most a claim may ever take at once; the dispatcher waits for half of it while workers are busy.</summary>
    public int MaxClaim => Math.Min(options.ClaimBatchSize, options.Concurrency + options.MaxPrefetch);

    private int RoomLocked()
    {
        if (_stopping) return 0;
        var prefetch = _durations.Short ? options.MaxPrefetch : 0;
        var held = _executing + _ready.Count + _reserved;
        var room = options.Concurrency + prefetch - held;
        var buffer = options.MaxPendingCompletions - Volatile.Read(ref _awaiting) - held;
        return Math.Max(0, Math.Min(options.ClaimBatchSize, Math.Min(room, buffer)));
    }

    /// <summary>Completes when nothing is executing, waiting for a slot or being claimed.</summary>
    public Task DrainedAsync()
    {
        lock (_drainLock)
        {
            if (InFlight == 0) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    public void Dispose() => SlotFreed.Dispose();

    /// <summary>Reserves room for a claim of up to <paramref name="max"/> tasks, atomically, so that several claim loops
    /// never hold more than the room allows. Returns how many were reserved.</summary>
    public int Reserve(int max)
    {
        lock (_slots)
        {
            var take = Math.Min(max, RoomLocked());
            if (take <= 0) return 0;
            _reserved += take;
            return take;
        }
    }

    /// <summary>Gives back reserved room a claim did not fill.</summary>
    public void Release(int reserved)
    {
        if (reserved <= 0) return;
        lock (_slots) _reserved -= reserved;
        SignalIfDrained();
        SlotFreed.Set();
    }

    /// <summary>Takes the tasks of a claim that reserved <paramref name="reserved"/>: starts as many as there are free
    /// slots and queues the rest here (their leases renewed like the running ones') until slots free up.
    /// A claim that returns after <see cref="StopStarting"/> (its statement committed while shutdown began) is handed
    /// back whole, unstarted and unspent: nothing would ever start it, and the drain would wait for it forever.</summary>
    public void Accept(IReadOnlyList<TaskRecord> claimed, int reserved)
    {
        List<RunningTask>? start = null;
        List<RunningTask>? handBack = null;
        lock (_slots)
        {
            _reserved -= reserved;
            foreach (var task in claimed)
            {
                var running = new RunningTask(task);
                Running.Add(running);
                if (_stopping) (handBack ??= []).Add(running);
                else _ready.Enqueue(running);
            }
            TakeReadyLocked(ref start);
        }
        StartAll(start);
        if (handBack is not null)
        {
            foreach (var running in handBack) HandOver(running, Released(running));
            SignalIfDrained();
        }
        if (claimed.Count < reserved)
        {
            SignalIfDrained();
            SlotFreed.Set();
        }
    }

    /// <summary>Stops starting attempts: the tasks still waiting here for a slot are handed back at once, without spending
    /// an attempt. Attempts already executing go on.</summary>
    public void StopStarting()
    {
        List<RunningTask> handBack;
        lock (_slots)
        {
            _stopping = true;
            handBack = [.. _ready];
            _ready.Clear();
        }
        foreach (var running in handBack) HandOver(running, Released(running));
        SignalIfDrained();
    }

    private static TaskCompletion Released(RunningTask running) =>
        new(running.Record.Id, running.Record.LeaseToken!.Value, CompletionKind.Released) { Unowned = running.Record.Owner is null };

    private void TakeReadyLocked(ref List<RunningTask>? start)
    {
        while (_executing < options.Concurrency && _ready.TryDequeue(out var next))
        {
            if (next.LeaseLost.IsCancellationRequested)
            {
                // Rescued while it waited here: another attempt owns it now, so this one never starts.
                Running.Remove(next);
                next.Dispose();
                continue;
            }
            _executing++;
            (start ??= []).Add(next);
        }
    }

    private void StartAll(List<RunningTask>? start)
    {
        if (start is null) return;
        foreach (var running in start)
        {
            attempts.StartedLocally(running.Record);
            _ = Task.Run(() => RunAsync(running), CancellationToken.None);
        }
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
            completion = new TaskCompletion(task.Id, task.LeaseToken!.Value, CompletionKind.Released) { Unowned = task.Owner is null };
        }
        running.Duration = clock.Time.GetElapsedTime(running.StartedAt);
        _durations.Add(running.Duration);
        HandOver(running, completion);
        List<RunningTask>? start = null;
        lock (_slots)
        {
            _executing--;
            TakeReadyLocked(ref start);
        }
        StartAll(start);
        SignalIfDrained();
        SlotFreed.Set();
    }

    /// <summary>The attempt's slot is free, but it stays among the heartbeated leases until its outcome is stored, so a
    /// backlog of unwritten completions never lets a lease lapse; the buffer it waits in is bounded by the claim room.</summary>
    private void HandOver(RunningTask running, TaskCompletion completion)
    {
        running.Finished = true;
        Interlocked.Increment(ref _awaiting);
        _awaitingStore[(completion.Id, completion.LeaseToken)] = running;
        completer.Enqueue(completion);
    }

    /// <summary>The attempt number of an outcome awaiting its write, or null when none is.</summary>
    public int? AttemptOf(long id, Guid leaseToken) =>
        _awaitingStore.TryGetValue((id, leaseToken), out var running) ? running.Record.Attempt : null;

    /// <summary>Called once a batch of completions was written (or given up on): lets the tasks' leases go and hands
    /// the accepted outcomes to the attempt pipeline (metrics, waiters, observers).</summary>

    public void OnStored(IReadOnlyList<TaskCompletion> batch, IReadOnlyList<bool> accepted)
    {
        var stored = new List<Attempts.StoredOutcome>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var completion = batch[i];
            if (!_awaitingStore.TryRemove((completion.Id, completion.LeaseToken), out var running)) continue;
            Interlocked.Decrement(ref _awaiting);
            var task = running.Record;
            if (accepted[i]) stored.Add(new Attempts.StoredOutcome(task.Id, task.Plugin, task.Queue, task.Attempt, completion.Kind, running.Duration));
            Running.Remove(running);
            running.Dispose();
        }
        attempts.OnStored(stored);
        SlotFreed.Set();
    }

    private void SignalIfDrained()
    {
        if (InFlight != 0) return;
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
            return attempts.Decide(task, Attempts.AttemptOutcome.Failed(
                Attempts.AttemptFailure.From(new PermanentTaskException($"Plugin '{task.Plugin}' is not registered on node {options.NodeId}.")), retryable: false));
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
        var folder = Artifacts.ArtifactPrefixes.ForTask(task.Id, task.Owner);
        var attemptLog = new Artifacts.AttemptLog(artifactOptions, clock.Time);
        var context = new TaskContext
        {
            TaskId = task.Id,
            Plugin = task.Plugin,
            Queue = task.Queue,
            Attempt = task.Attempt,
            MaxAttempts = task.MaxAttempts,
            Tags = task.Tags,
            CancellationToken = linked.Token,
            Logger = new Artifacts.CapturingLogger(logger, attemptLog),
            Services = scope.ServiceProvider,
            OnProgress = progress.ReportAsync,
            Artifacts = new Artifacts.TaskArtifacts(claimCheck.Store, folder),
        };
        var outcome = await InvokeAsync(running, plugin, context, timeoutCts, scope.ServiceProvider).ConfigureAwait(false);
        outcome = await OffloadAsync(task, folder, outcome, linked.Token).ConfigureAwait(false);
        await StoreLogAsync(task, folder, attemptLog).ConfigureAwait(false);
        var completion = attempts.Decide(task, outcome);
        if (progress.End() is { } lastProgress) completion = completion with { Progress = lastProgress };
        if (span is not null) EndExecution(span, completion);
        return completion;
    }

    private async Task<Attempts.AttemptOutcome> InvokeAsync(
        RunningTask running, PluginDescriptor plugin, TaskContext context, CancellationTokenSource timeoutCts, IServiceProvider services)
    {
        var task = running.Record;
        var timeout = task.Timeout;
        try
        {
            // Claim check: references to outputs stored as artifacts become their values just before the plugin sees them.
            var args = await claimCheck.ResolveAsync(task.ArgsJson, context.CancellationToken).ConfigureAwait(false) ?? task.ArgsJson;
            var result = await plugin.Invoker.InvokeAsync(services, args, context).ConfigureAwait(false);
            return Attempts.AttemptOutcome.Succeeded(result);
        }
        catch (SnoozeTaskException snooze)
        {
            return Attempts.AttemptOutcome.Snoozed(snooze.Delay);
        }
        catch (Artifacts.ArtifactMissingException ex)
        {
            // An upstream output stored as an artifact is gone: no retry brings it back.
            return Attempts.AttemptOutcome.Failed(Attempts.AttemptFailure.From(ex), retryable: false);
        }
        catch (PermanentTaskException ex)
        {
            return Attempts.AttemptOutcome.Failed(Attempts.AttemptFailure.From(ex), retryable: false);
        }
        catch (Exception ex) when (running.Cancel.IsCancellationRequested)
        {
            return Attempts.AttemptOutcome.Cancelled(Attempts.AttemptFailure.From(new OperationCanceledException("Cancelled by request.", ex)));
        }
        catch (OperationCanceledException ex) when (timeoutCts.IsCancellationRequested)
        {
            return Attempts.AttemptOutcome.Failed(Attempts.AttemptFailure.From(new TimeoutException($"The attempt exceeded its timeout of {timeout}.", ex)));
        }
        catch (Exception) when (hardStop.IsCancellationRequested || running.LeaseLost.IsCancellationRequested)
        {
            // Shutdown deadline passed (or the lease is gone): give the task back without spending the attempt.
            return Attempts.AttemptOutcome.Released();
        }
        catch (Exception ex)
        {
            return Attempts.AttemptOutcome.Failed(Attempts.AttemptFailure.From(ex));
        }
    }

    /// <summary>A success whose result is over the inline limit keeps a reference to it, stored as an artifact. A store
    /// that fails makes the attempt fail (and retry), since the result would otherwise be lost.</summary>
    private async Task<Attempts.AttemptOutcome> OffloadAsync(TaskRecord task, string folder, Attempts.AttemptOutcome outcome, CancellationToken ct)
    {
        if (outcome.Kind != Attempts.AttemptOutcomeKind.Succeeded || outcome.ResultJson is null) return outcome;
        try
        {
            var result = await claimCheck.OffloadAsync(outcome.ResultJson, Artifacts.ArtifactPrefixes.Output(folder, task.Attempt), ct).ConfigureAwait(false);
            return ReferenceEquals(result, outcome.ResultJson) ? outcome : Attempts.AttemptOutcome.Succeeded(result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !hardStop.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Could not store the large result of task {TaskId} in the artifact store.", task.Id);
            return Attempts.AttemptOutcome.Failed(Attempts.AttemptFailure.From(new IOException($"The result ({outcome.ResultJson.Length} characters) is over Nexus:Artifacts:InlineLimitBytes and could not be stored as an artifact: {ex.Message}", ex)));
        }
    }

    /// <summary>Writes the attempt's captured lines (when there are any) as <c>logs/attempt-n.log</c>; a failure to write
    /// them is logged and does not change the outcome.</summary>
    private async Task StoreLogAsync(TaskRecord task, string folder, Artifacts.AttemptLog log)
    {
        if (log.IsEmpty) return;
        try
        {
            using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(log.Text()), writable: false);
            await claimCheck.Store.PutAsync(Artifacts.ArtifactPrefixes.Log(folder, task.Attempt), content, hardStop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!hardStop.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Could not store the log of task {TaskId} attempt {Attempt}.", task.Id, task.Attempt);
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
}
