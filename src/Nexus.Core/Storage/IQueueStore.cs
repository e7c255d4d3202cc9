namespace Nexus.Storage;

/// <summary>Queue settings. A queue exists implicitly once a task uses it; settings rows are only needed to change defaults.</summary>
public interface IQueueStore
{
    /// <summary>Every queue that has settings or tasks.</summary>
    Task<IReadOnlyList<QueueInfo>> ListAsync(CancellationToken cancellationToken = default);
    /// <summary>Reads one queue's settings (defaults when it has none).</summary>
    Task<QueueInfo> GetAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Pauses or resumes claiming from a queue. Submits still go in.</summary>
    Task SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default);
    /// <summary>Sets the cluster-wide concurrency limit and backlog limit (null: unlimited).</summary>
    Task ConfigureAsync(string name, int? maxConcurrency, long? maxBacklog, CancellationToken cancellationToken = default);
}

/// <summary>A queue's settings.</summary>
/// <param name="Name">The queue name.</param>
/// <param name="Paused">Claiming is stopped.</param>
/// <param name="MaxConcurrency">Most tasks running at once across all nodes, or null.</param>
/// <param name="MaxBacklog">Most waiting tasks (scheduled, available, retrying) before submits are refused, or null.</param>
public sealed record QueueInfo(string Name, bool Paused, int? MaxConcurrency, long? MaxBacklog);

/// <summary>Leader election through the store: one holder per name at a time, with a lease.</summary>
public interface ILeaderStore
{
    /// <summary>Becomes or stays leader of <paramref name="p"/>.Name; false when another node holds an unexpired lease.</summary>
    Task<bool> TryAcquireAsync(LeaderParams p, CancellationToken cancellationToken = default);
    /// <summary>Gives leadership up, if held.</summary>
    Task ResignAsync(LeaderParams p, CancellationToken cancellationToken = default);
}

/// <summary>Params of leader election.</summary>
/// <param name="Name">What is led, e.g. <c>maintenance</c>.</param>
/// <param name="NodeId">The candidate.</param>
/// <param name="Ttl">How long leadership lasts without renewal.</param>
public sealed record LeaderParams(string Name, string NodeId, TimeSpan Ttl)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Pushed wake-ups: a store that supports it calls back when tasks are inserted, from any process.</summary>
public interface ITaskNotifications
{
    /// <summary>Starts listening (reconnecting on its own until disposed). <paramref name="onWake"/> gets the queue
    /// name, or null after a reconnect, meaning "anything may have happened: look".</summary>
    Task<IAsyncDisposable> ListenAsync(Action<string?> onWake, CancellationToken cancellationToken = default);
}
