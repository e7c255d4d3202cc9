namespace Nexus.State;

/// <summary>
/// The versioned state store for application code: namespaced keys holding JSON, compare-and-set on the version,
/// TTLs, prefix listing, history, export and import. Inject it after <c>AddNexus</c>.
/// </summary>
/// <example><code>
/// var first = await state.SetAsync("shop", "carts/42", """{"items":[]}""", new StateWriteOptions { ExpectedVersion = 0 });
/// var next = await state.SetAsync("shop", "carts/42", """{"items":["book"]}""", new StateWriteOptions { ExpectedVersion = first.Version });
/// </code></example>
public interface INexusState
{
    /// <summary>The key as it is now, or null when it does not exist (never written, deleted or expired).</summary>
    Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version. With an expected version that is no longer current, a registered
    /// <see cref="IStateConflictResolver"/> for the key may merge; otherwise <see cref="StateConflictException"/>.</summary>
    /// <exception cref="TaskValidationException">The namespace, key, value or TTL is invalid (names the field).</exception>
    /// <exception cref="StateConflictException">The expected version is not current and no resolver merged.</exception>
    Task<StateEntry> SetAsync(string @namespace, string key, string valueJson, StateWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key; returns the version of the deletion. With an expected version, only when it is current.</summary>
    /// <exception cref="StateNotFoundException">The key does not exist.</exception>
    /// <exception cref="StateConflictException">The expected version is not current.</exception>
    Task<long> DeleteAsync(string @namespace, string key, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Keys starting with <paramref name="prefix"/>, in code point order, after <paramref name="after"/>.</summary>
    Task<StatePage> ListAsync(string @namespace, string prefix = "", string? after = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>A key's versions, newest first, before <paramref name="before"/>.</summary>
    Task<IReadOnlyList<StateVersion>> HistoryAsync(string @namespace, string key, long? before = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Every live key of a namespace with its value and expiry (seed 003's snapshot).</summary>
    Task<StateSnapshot> ExportAsync(string @namespace, CancellationToken cancellationToken = default);

    /// <summary>Writes every key of a snapshot into a namespace (each a new version; keys not in it are left alone).
    /// Returns how many were written.</summary>
    Task<int> ImportAsync(string @namespace, StateSnapshot snapshot, CancellationToken cancellationToken = default);
}

/// <summary>Options of a state write.</summary>
public sealed record StateWriteOptions
{
    /// <summary>Write only over this version (0: only when the key does not exist); null writes anyway.</summary>
    public long? ExpectedVersion { get; init; }
    /// <summary>Expire this long after the write; null never expires.</summary>
    public TimeSpan? Ttl { get; init; }
}

/// <summary>A namespace's keys at one moment.</summary>
/// <param name="Namespace">Where they came from.</param>
/// <param name="Keys">The keys, in key order.</param>
public sealed record StateSnapshot(string Namespace, IReadOnlyList<StateSnapshotKey> Keys);

/// <summary>One key of a snapshot.</summary>
/// <param name="Key">The key.</param>
/// <param name="ValueJson">Its value.</param>
/// <param name="ExpiresAt">When it expires, or null.</param>
public sealed record StateSnapshotKey(string Key, string ValueJson, DateTimeOffset? ExpiresAt);
