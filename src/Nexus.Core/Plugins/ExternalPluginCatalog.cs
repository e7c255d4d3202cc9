using System.Collections.Frozen;
using Nexus.Storage;

namespace Nexus.Plugins;

/// <summary>This process's view of the plugins declared by external workers: a snapshot of the store's declarations
/// with each args schema compiled once. A submit naming a plugin that is neither local nor in the snapshot reloads it
/// at once (so a declaration made on another node is seen by the next submit); otherwise it is reloaded when older
/// than <see cref="MaxAge"/>, so a changed schema reaches every node within that time.</summary>
internal sealed class ExternalPluginCatalog(INexusStore store, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot _snapshot = new(FrozenDictionary<string, Entry>.Empty, DateTimeOffset.MinValue);

    public sealed record Entry(ExternalPlugin Plugin, JsonArgsSchema Schema);

    private sealed record Snapshot(FrozenDictionary<string, Entry> ByName, DateTimeOffset LoadedAt);

    public void Dispose() => _reload.Dispose();

    public IEnumerable<string> Names => _snapshot.ByName.Keys;

    public bool TryGet(string name, out Entry entry) => _snapshot.ByName.TryGetValue(name, out entry!);

    /// <summary>Reloads when one of <paramref name="names"/> is unknown or the snapshot is old.</summary>
    public async Task EnsureAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (time.GetUtcNow() - snapshot.LoadedAt < MaxAge && names.All(snapshot.ByName.ContainsKey)) return;
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var declared = store.ExternalPlugins;
        var before = _snapshot;
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(before, _snapshot)) return; // another caller reloaded meanwhile
            var loadedAt = time.GetUtcNow();
            var list = await declared.ListAsync(cancellationToken).ConfigureAwait(false);
            var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            foreach (var plugin in list)
            {
                // Schemas were checked at declaration; one that no longer parses (a newer server wrote it) is skipped.
                try
                {
                    entries[plugin.Name] = new Entry(plugin, JsonArgsSchema.Parse(plugin.ArgsSchemaJson, "argsSchema"));
                }
                catch (TaskValidationException)
                {
                }
            }
            _snapshot = new Snapshot(entries.ToFrozenDictionary(StringComparer.Ordinal), loadedAt);
        }
        finally
        {
            _reload.Release();
        }
    }
}
