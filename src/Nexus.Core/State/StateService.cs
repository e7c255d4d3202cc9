using Microsoft.Extensions.Options;
using Nexus.Hosting;
using Nexus.Storage;

namespace Nexus.State;

/// <summary><see cref="INexusState"/> over the store: validation, conflict resolvers, snapshots.</summary>
internal sealed class StateService(INexusStore store, IEnumerable<IStateConflictResolver> resolvers, IOptions<NexusOptions> options, TimeProvider time, Events.EventService events) : INexusState
{
    private readonly ChangeLog _log = events.Changes;
    private const int MaxResolves = 10;
    private readonly IStateConflictResolver[] _resolvers = [.. resolvers];
    private int HistoryLimit => options.Value.StateHistoryLimit;

    public Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken = default) =>
        store.State.GetAsync(StateKeys.Namespace(@namespace), StateKeys.Key(key), cancellationToken);

    public async Task<StateEntry> SetAsync(string @namespace, string key, string valueJson, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        StateKeys.Namespace(@namespace);
        StateKeys.Key(key);
        StateKeys.Value(valueJson);
        var ttl = StateKeys.Ttl(options?.Ttl);
        var expected = options?.ExpectedVersion;
        if (expected < 0) throw new TaskValidationException("expectedVersion", "must not be negative");
        var value = valueJson;
        if (expected is > 0 && ttl is null && _log.Knows(@namespace))
        {
            // The common write, a compare-and-set of a live key, and its change in the log in one step of the store; the
            // change is the one the general path would log (the next version, "updated", no expiry). A key that is not
            // live at that version leaves everything as it was and takes the general path below.
            var next = expected.Value + 1;
            var change = ChangeLog.StateSet(new StateWriteResult(true, new StateEntry(@namespace, key, value, next, default, default, null), next));
            var p = new SetStateParams(@namespace, key, value) { ExpectedVersion = expected, HistoryLimit = HistoryLimit };
            if (await store.State.SetLiveLoggedAsync(p, change, cancellationToken).ConfigureAwait(false) is { Written: true } logged)
            {
                _log.Committed(@namespace);
                return logged.Entry!;
            }
        }
        for (var round = 0; ; round++)
        {
            var p = new SetStateParams(@namespace, key, value) { ExpectedVersion = expected, Ttl = ttl, HistoryLimit = HistoryLimit };
            var result = await store.InTransactionAsync(async (tx, ct) =>
            {
                var r = await tx.State.SetAsync(p, ct).ConfigureAwait(false);
                if (r.Written) await _log.AppendAsync(tx, @namespace, [ChangeLog.StateSet(r)], ct).ConfigureAwait(false);
                return r;
            }, cancellationToken).ConfigureAwait(false);
            if (result.Written)
            {
                _log.Committed(@namespace);
                return result.Entry!;
            }
            var resolver = round < MaxResolves ? _resolvers.FirstOrDefault(r => r.Handles(@namespace, key)) : null;
            var current = resolver is null ? null : await store.State.GetAsync(@namespace, key, cancellationToken).ConfigureAwait(false);
            var merged = resolver?.Resolve(new StateConflict(@namespace, key, expected!.Value, current, value));
            if (merged is null) throw new StateConflictException(@namespace, key, expected!.Value, result.Version);
            value = StateKeys.Value(merged, "merged value");
            expected = current?.Version ?? 0;
        }
    }

    public async Task<long> DeleteAsync(string @namespace, string key, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var p = new DeleteStateParams(StateKeys.Namespace(@namespace), StateKeys.Key(key)) { ExpectedVersion = expectedVersion, HistoryLimit = HistoryLimit };
        var result = await store.InTransactionAsync(async (tx, ct) =>
        {
            var r = await tx.State.DeleteAsync(p, ct).ConfigureAwait(false);
            if (r.Written) await _log.AppendAsync(tx, @namespace, [ChangeLog.StateDeleted(key, r.Version)], ct).ConfigureAwait(false);
            return r;
        }, cancellationToken).ConfigureAwait(false);
        if (result.Written)
        {
            _log.Committed(@namespace);
            return result.Version;
        }
        if (result.Version == 0) throw new StateNotFoundException(@namespace, key);
        throw new StateConflictException(@namespace, key, expectedVersion ?? 0, result.Version);
    }

    public Task<StatePage> ListAsync(string @namespace, string prefix = "", string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new TaskValidationException("limit", "must be between 1 and 1000");
        return ListOwnAsync(StateKeys.Namespace(@namespace), prefix ?? "", after, limit, cancellationToken);
    }

    /// <summary>A page without Nexus's own <c>$</c> keys (documents, schemas); its cursor still walks the raw keys.</summary>
    private async Task<StatePage> ListOwnAsync(string @namespace, string prefix, string? after, int limit, CancellationToken cancellationToken)
    {
        var page = await store.State.ListAsync(new ListStateParams(@namespace, prefix, after, limit), cancellationToken).ConfigureAwait(false);
        return page.Items.Any(e => e.Key.StartsWith('$')) ? page with { Items = [.. page.Items.Where(e => !e.Key.StartsWith('$'))] } : page;
    }

    public Task<IReadOnlyList<StateVersion>> HistoryAsync(string @namespace, string key, long? before = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > 1000) throw new TaskValidationException("limit", "must be between 1 and 1000");
        return store.State.HistoryAsync(new StateHistoryParams(StateKeys.Namespace(@namespace), StateKeys.Key(key), before, limit), cancellationToken);
    }

    public async Task<StateSnapshot> ExportAsync(string @namespace, CancellationToken cancellationToken = default)
    {
        StateKeys.Namespace(@namespace);
        var keys = new List<StateSnapshotKey>();
        string? after = null;
        do
        {
            var page = await ListOwnAsync(@namespace, "", after, 1000, cancellationToken).ConfigureAwait(false);
            keys.AddRange(page.Items.Select(e => new StateSnapshotKey(e.Key, e.ValueJson, e.ExpiresAt)));
            after = page.Next;
        }
        while (after is not null);
        return new StateSnapshot(@namespace, keys);
    }

    public async Task<int> ImportAsync(string @namespace, StateSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        StateKeys.Namespace(@namespace);
        for (var i = 0; i < snapshot.Keys.Count; i++)
        {
            StateKeys.Key(snapshot.Keys[i].Key, $"keys[{i}].key");
            StateKeys.Value(snapshot.Keys[i].ValueJson, $"keys[{i}].value");
        }
        // One unit of work: a snapshot goes in whole or not at all. Expiries already passed are skipped.
        var imported = await store.InTransactionAsync(async (tx, ct) =>
        {
            var written = 0;
            var changes = new List<Events.NewEvent>();
            foreach (var k in snapshot.Keys)
            {
                var now = time.GetUtcNow();
                TimeSpan? ttl = k.ExpiresAt is { } at ? at - now : null;
                if (ttl <= TimeSpan.Zero) continue;
                var r = await tx.State.SetAsync(new SetStateParams(@namespace, k.Key, k.ValueJson) { Ttl = ttl, HistoryLimit = HistoryLimit }, ct).ConfigureAwait(false);
                changes.Add(ChangeLog.StateSet(r));
                written++;
            }
            await _log.AppendAsync(tx, @namespace, changes, ct).ConfigureAwait(false);
            return written;
        }, cancellationToken).ConfigureAwait(false);
        _log.Committed(@namespace);
        return imported;
    }
}
