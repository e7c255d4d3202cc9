using Nexus.Storage;

namespace Nexus.Storage.Contract;

/// <summary>Shares a store between two hosts in one test; the owner disposes it.</summary>
internal sealed class NonDisposingStore(INexusStore inner, ITaskStore? tasks = null) : INexusStore
{
    public string Driver => inner.Driver;
    public ITaskStore Tasks => tasks ?? inner.Tasks;
    public IEventStore Events => inner.Events;
    public IQueueStore Queues => inner.Queues;
    public ILeaderStore Leader => inner.Leader;
    public ITaskNotifications? Notifications => inner.Notifications;
    public IApiKeyStore ApiKeys => inner.ApiKeys;
    public INodeStore Nodes => inner.Nodes;
    public IExternalPluginStore ExternalPlugins => inner.ExternalPlugins;
    public IWorkflowStore Workflows => inner.Workflows;
    public IStateStore State => inner.State;
    public IScheduleStore Schedules => inner.Schedules;
    public IServiceStore Services => inner.Services;
    public StoreHooks Hooks => inner.Hooks;
    public Task<T> InTransactionAsync<T>(Func<IStoreTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default) =>
        inner.InTransactionAsync(work, cancellationToken);
    public Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken = default) => inner.MigrateAsync(cancellationToken);
    public Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken = default) => inner.CheckHealthAsync(cancellationToken);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
