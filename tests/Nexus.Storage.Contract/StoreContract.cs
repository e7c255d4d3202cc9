using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>
/// Base of every contract class: a fresh, migrated store per test, an explicit clock, and small helpers.
/// A driver's test project subclasses each contract class and implements <see cref="CreateStoreAsync"/>.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    /// <summary>The explicit "now" the tests pass to the store, so time rules are checked exactly.</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private INexusStore? _store;

    /// <summary>The store under test.</summary>
    protected INexusStore Store => _store ?? throw new InvalidOperationException("Store not created yet.");

    /// <summary>Creates a new, empty, isolated store (its own file, schema or database). Not migrated yet.</summary>
    protected abstract Task<INexusStore> CreateStoreAsync();

    public virtual async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.MigrateAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }

    protected static NewTask Task(string plugin = "test.echo", string queue = "default", int priority = 0,
        DateTimeOffset? runAt = null, TimeSpan? delay = null, int maxAttempts = 3, string? uniqueKey = null,
        IReadOnlyList<string>? tags = null, string args = "{}") => new()
        {
            Plugin = plugin,
            ArgsJson = args,
            Queue = queue,
            Priority = priority,
            RunAt = runAt,
            Delay = delay,
            MaxAttempts = maxAttempts,
            UniqueKey = uniqueKey,
            Tags = tags ?? [],
        };

    protected async Task<long> InsertAsync(NewTask task, DateTimeOffset? now = null) =>
        (await Store.Tasks.InsertAsync(new InsertTasksParams([task]) { Now = now ?? T0 }))[0].Id;

    protected Task<IReadOnlyList<TaskRecord>> ClaimAsync(int max = 10, DateTimeOffset? now = null, TimeSpan? lease = null,
        IReadOnlyList<string>? queues = null, IReadOnlyList<string>? plugins = null, string node = "node-a") =>
        Store.Tasks.ClaimAsync(new ClaimParams(node, max, lease ?? TimeSpan.FromSeconds(30)) { Now = now ?? T0, Queues = queues, Plugins = plugins });

    protected async Task<TaskRecord> ClaimOneAsync(DateTimeOffset? now = null, TimeSpan? lease = null)
    {
        var claimed = await ClaimAsync(1, now, lease);
        return Assert.Single(claimed);
    }

    protected async Task<bool> CompleteAsync(TaskCompletion completion, DateTimeOffset? now = null) =>
        (await Store.Tasks.CompleteAsync(new CompleteParams([completion]) { Now = now ?? T0 }))[0];

    protected async Task<TaskRecord> GetAsync(long id) =>
        await Store.Tasks.GetAsync(id) ?? throw new InvalidOperationException($"Task {id} is missing.");

    protected static AttemptError Error(int attempt, string message = "boom") => new(attempt, T0, "InvalidOperationException", message, "at Test()");
}
