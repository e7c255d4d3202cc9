using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Observability;
using Nexus.Plugins;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>
/// The worker side of one process. Start: migrate, then run the dispatcher (claims in batches), the executor
/// (runs attempts), the completer (writes outcomes in batches), the heartbeater (renews all leases in one round
/// trip) and the rescuer (on the elected node). Stop: stop claiming, let running attempts finish within
/// <see cref="NexusOptions.ShutdownTimeout"/>, cancel and hand back the rest, flush completions.
/// </summary>
internal sealed class NexusEngine(
    INexusStore store,
    PluginRegistry registry,
    IOptions<NexusOptions> options,
    TaskService tasks,
    WakeSignal wake,
    TimeProvider time,
    IServiceScopeFactory scopes,
    NexusMetrics metrics,
    Attempts.AttemptPipeline attempts,
    Scheduling.ScheduleService schedules,
    ScheduleMetrics scheduleMetrics,
    ServiceMetrics serviceMetrics,
    IEnumerable<IOwnedTaskHook> hooks,
    Events.EventService events,
    Artifacts.ClaimCheck claimCheck,
    IOptions<Artifacts.ArtifactOptions> artifactOptions,
    ILoggerFactory? loggerFactory = null) : IHostedService, IDisposable
{
    private readonly NexusOptions _options = options.Value;
    private readonly StoreClock _clock = new(time);
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly CancellationTokenSource _stopClaiming = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly CancellationTokenSource _stopLoops = new();
    private Completer? _completer;
    private Executor? _executor;
    private Task _loops = Task.CompletedTask;
    private Task _completerLoop = Task.CompletedTask;
    private IAsyncDisposable? _listener;
    private NodeBeacon? _beacon;
    private LeaderElector? _leader;
    private int _stopped;

    private ILogger Logger => _loggers.CreateLogger("Nexus.Engine");

    /// <summary>The longest the engine's other loops wait for the first claim to return before they start anyway
    /// (real time: it orders start-up work, it decides nothing about tasks).</summary>
    private static readonly TimeSpan FirstClaimGrace = TimeSpan.FromSeconds(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _options.Validate();
        // Hooks from DI join the store here rather than in its factory, so a hook may depend on anything, the store included.
        foreach (var hook in hooks) store.Hooks.Add(hook);
        if (_options.MigrateOnStart)
        {
            var migration = await store.MigrateAsync(cancellationToken);
            if (migration.Applied.Count > 0)
            {
                Logger.LogInformation("Migrated the {Driver} store from schema version {From} to {To}.", store.Driver, migration.FromVersion, migration.ToVersion);
            }
        }
        if (!_options.RunWorkers)
        {
            Logger.LogInformation("Nexus node {Node} started without workers (submit only).", _options.NodeId);
            return;
        }
        _completer = new Completer(store, _clock, _options.CompletionBatchSize, Logger, (batch, accepted) => _executor?.OnStored(batch, accepted), (id, token) => _executor?.AttemptOf(id, token));
        _executor = new Executor(registry, _options, scopes, _completer, store, _clock, _loggers, attempts, claimCheck, artifactOptions.Value, _hardStop.Token);
        var dispatcher = new Dispatcher(store, registry, _options, _executor, wake, _clock, Logger);
        var heartbeater = new Heartbeater(store, _options, _executor, _clock, Logger);
        var leader = _leader = new LeaderElector(store.Leader, _options, _clock);
        var rescuer = new Rescuer(store, _options, wake, _clock, Logger, metrics, leader, events.TasksDiedAsync);
        var executor = _executor;
        metrics.AttachWorkers(() => executor.Running.Count);
        metrics.AttachLeader(() => leader.Leads);
        var retention = new Retention(store, _options, _clock, Logger, leader);
        var tidier = new TaskTableTidier(store, _clock, Logger, leader);
        var loops = new List<Func<Task>>
        {
            () => heartbeater.RunAsync(_stopLoops.Token),
            () => rescuer.RunAsync(_stopLoops.Token),
            () => retention.RunAsync(_stopLoops.Token),
            () => tidier.RunAsync(_stopLoops.Token),
        };
        var beacon = _beacon = new NodeBeacon(store.Nodes, _options, registry, _clock, Logger);
        var pruner = new NodePruner(store.Nodes, _options, _clock, Logger, leader);
        loops.Add(() => beacon.RunAsync(_stopLoops.Token));
        loops.Add(() => pruner.RunAsync(_stopLoops.Token));
        var expirer = new StateExpirer(store, events.Changes, _options, _clock, Logger, leader);
        loops.Add(() => expirer.RunAsync(_stopLoops.Token));
        var eventLog = new Events.EventLogMaintenance(store, _options, _clock, Logger, leader);
        loops.Add(() => eventLog.RunAsync(_stopLoops.Token));
        var lagMonitor = new Events.SubscriptionLagMonitor(events, events.Metrics, _options, _clock, _loggers.CreateLogger("Nexus.Events"), leader);
        loops.Add(() => lagMonitor.RunAsync(_stopLoops.Token));
        if (_options.Events.Dispatch)
        {
            await events.EnsureHandlerSubscriptionsAsync(cancellationToken);
            var eventDispatcher = new Events.EventDispatcher(events, _options, _loggers.CreateLogger("Nexus.Events"));
            loops.Add(() => eventDispatcher.RunAsync(_stopLoops.Token));
        }
        var checker = new ServiceChecker(store, _options, _clock, serviceMetrics, _loggers.CreateLogger("Nexus.Services"), leader);
        loops.Add(async () =>
        {
            using (checker) await checker.RunAsync(_stopLoops.Token);
        });
        if (_options.RunScheduler)
        {
            var scheduler = new Scheduler(store, schedules, _options, _clock, scheduleMetrics, wake, _loggers.CreateLogger("Nexus.Scheduler"));
            loops.Add(() => scheduler.RunAsync(_stopLoops.Token));
        }

        _completerLoop = Task.Run(_completer.RunAsync, CancellationToken.None);
        tasks.CancelRequested += OnCancelRequested;
        // The first claim goes out alone. The other loops, the node row and the notification listener each make a round
        // trip at once (on PostgreSQL each opens a connection of a cold pool, which is a new server process): started
        // beside the first claim, they made it wait behind them. They start when it has returned (or failed, or after
        // FirstClaimGrace), and once the listener is up one wake-up covers a notification it may have missed meanwhile.
        var claiming = Enumerable.Range(0, _options.ClaimLoops)
            .Select(_ => Task.Run(() => dispatcher.RunAsync(_stopClaiming.Token), CancellationToken.None)).ToList();
        _loops = Task.WhenAll(claiming);
        try
        {
            await Task.WhenAny(dispatcher.FirstClaim, Task.Delay(FirstClaimGrace, TimeProvider.System, cancellationToken)).ConfigureAwait(false);
            _loops = Task.WhenAll(claiming.Concat(loops.Select(loop => Task.Run(loop, CancellationToken.None))));
            var registering = beacon.BeatAsync(cancellationToken);
            if (store.Notifications is { } notifications)
            {
                // One listener for both: task inserts wake the claimers; "$events" (an append) wakes the event dispatcher.
                _listener = await notifications.ListenAsync(payload =>
                {
                    if (payload == "$events") events.LogAppended();
                    else if (payload is null or "")
                    {
                        events.LogAppended();
                        wake.Set();
                    }
                    else wake.Set();
                }, cancellationToken);
                wake.Set();
            }
            await registering;
        }
        catch
        {
            // A failed start leaves nothing running behind it.
            await _stopClaiming.CancelAsync();
            await _stopLoops.CancelAsync();
            await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        Logger.LogInformation(
            "Nexus node {Node} started on {Driver}: {Concurrency} workers, plugins [{Plugins}], queues [{Queues}].",
            _options.NodeId, store.Driver, _options.Concurrency, string.Join(", ", registry.All.Select(p => p.Name)),
            _options.Queues is { Count: > 0 } q ? string.Join(", ", q) : "all");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_completer is null || _executor is null || Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _stopClaiming.CancelAsync();
        _executor.StopStarting();
        if (_executor.InFlight > 0)
        {
            Logger.LogInformation("Shutting down: waiting up to {Timeout} for {Count} running tasks.", _options.ShutdownTimeout, _executor.InFlight);
            await Task.WhenAny(_executor.DrainedAsync(), Task.Delay(_options.ShutdownTimeout, time, cancellationToken)).ConfigureAwait(false);
            if (_executor.InFlight > 0)
            {
                Logger.LogWarning("Shutdown deadline passed: cancelling {Count} running tasks and handing them back to the queue.", _executor.InFlight);
                await _hardStop.CancelAsync();
                await _executor.DrainedAsync().ConfigureAwait(false);
            }
        }
        // Heartbeats run until every attempt has ended, so no lease lapses during a graceful drain.
        await _stopLoops.CancelAsync();
        await _loops.ConfigureAwait(false);
        _completer.Complete();
        await _completerLoop.ConfigureAwait(false);
        tasks.CancelRequested -= OnCancelRequested;
        metrics.AttachWorkers(null);
        metrics.AttachLeader(null);
        if (_listener is not null) await _listener.DisposeAsync();
        if (_beacon is not null) await _beacon.RemoveAsync(cancellationToken);
        try
        {
            if (_leader is not null) await _leader.ResignAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            Logger.LogDebug(ex, "Resigning maintenance leadership failed; it lapses on its own.");
        }
        Logger.LogInformation("Nexus node {Node} stopped.", _options.NodeId);
    }

    private void OnCancelRequested(long id)
    {
        if (_executor is not null && _executor.Running.TryGet(id, out var task))
        {
            try
            {
                task.Cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
    }

    public void Dispose()
    {
        _executor?.Dispose();
        _stopClaiming.Dispose();
        _hardStop.Dispose();
        _stopLoops.Dispose();
    }
}
