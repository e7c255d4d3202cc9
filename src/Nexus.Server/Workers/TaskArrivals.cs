using Nexus.Contracts;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.Server.Workers;

/// <summary>Wakes every waiting long poll when tasks may have become ready: on submits and retries through this
/// process, and on the store's notifications of inserts by any process (PostgreSQL). Waiters take <see cref="Next"/>
/// before they look for tasks, so a wake-up between the look and the wait is never lost.</summary>
internal sealed class TaskArrivals(INexusStore store, INexusTaskSignals signals, ILogger<TaskArrivals> logger) : IHostedService
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IAsyncDisposable? _listener;

    /// <summary>Completes at the next wake-up.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void OnTasksReady(IReadOnlyCollection<string>? queues) => Pulse();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        signals.TasksReady += OnTasksReady;
        if (store.Notifications is { } notifications)
        {
            try
            {
                _listener = await notifications.ListenAsync(_ => Pulse(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not listen for task notifications; worker long polls fall back to polling.");
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        signals.TasksReady -= OnTasksReady;
        if (_listener is not null) await _listener.DisposeAsync();
        Pulse();
    }
}
