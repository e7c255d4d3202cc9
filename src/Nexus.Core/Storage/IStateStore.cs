using Nexus.State;

namespace Nexus.Storage;

/// <summary>
/// The versioned state store: namespaced keys holding JSON, each write a new version, compare-and-set on the version,
/// a bounded history per key, and TTLs. Expired keys read as absent at once and are swept by
/// <see cref="ExpireAsync"/>. Every write is atomic; inside a unit of work (<see cref="IStoreTransaction.State"/>) it
/// commits with the work's other writes.
/// </summary>
public interface IStateStore
{
    /// <summary>The key as it is now, or null when it does not exist (never written, deleted or expired).</summary>
    Task<StateEntry?> GetAsync(string @namespace, string key, CancellationToken cancellationToken = default);

    /// <summary>Writes a new version. With <see cref="SetStateParams.ExpectedVersion"/>, only when the key's current
    /// version is that one (0: only when it does not exist); otherwise nothing is written and the result says so with
    /// the current version.</summary>
    Task<StateWriteResult> SetAsync(SetStateParams p, CancellationToken cancellationToken = default);

    /// <summary>The state API's common write in one step: a compare-and-set of a key that holds a live value at
    /// <see cref="SetStateParams.ExpectedVersion"/> (required, and no <see cref="SetStateParams.Ttl"/>) together with
    /// the append of <paramref name="change"/> to the namespace's log — atomically, and on PostgreSQL in one statement
    /// instead of a transaction of three round trips. Null when the key is not live at that version: nothing is written
    /// or appended, and the caller takes the general path (<see cref="SetAsync"/> and an append in one unit of work).
    /// Null too when the namespace does not exist yet (the log needs it; the general path creates it).</summary>
    Task<StateWriteResult?> SetLiveLoggedAsync(SetStateParams p, Events.NewEvent change, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (its history keeps a <c>delete</c> version). With an expected version, only when it
    /// matches. Deleting a key that does not exist writes nothing and answers <c>Written = false</c>, version 0.</summary>
    Task<StateWriteResult> DeleteAsync(DeleteStateParams p, CancellationToken cancellationToken = default);

    /// <summary>Keys of a namespace that start with a prefix, in key order, after a key (keyset paging).</summary>
    Task<StatePage> ListAsync(ListStateParams p, CancellationToken cancellationToken = default);

    /// <summary>A key's versions, newest first, before a version (paging); bounded by the history kept per key.</summary>
    Task<IReadOnlyList<StateVersion>> HistoryAsync(StateHistoryParams p, CancellationToken cancellationToken = default);

    /// <summary>Removes up to <see cref="ExpireStateParams.Max"/> expired keys, each leaving an <c>expire</c> version in its
    /// history. Returns how many.</summary>
    Task<IReadOnlyList<StateExpiry>> ExpireAsync(ExpireStateParams p, CancellationToken cancellationToken = default);
}

/// <summary>Params of <see cref="IStateStore.SetAsync"/>.</summary>
/// <param name="Namespace">A valid namespace name.</param>
/// <param name="Key">A valid key (<see cref="StateKeys.Key"/>).</param>
/// <param name="ValueJson">The JSON value (<see cref="StateKeys.Value"/>).</param>
public sealed record SetStateParams(string Namespace, string Key, string ValueJson)
{
    /// <summary>Write only when the current version is this (0: only when the key does not exist); null writes anyway.</summary>
    public long? ExpectedVersion { get; init; }
    /// <summary>Expire this long after the write; null never expires.</summary>
    public TimeSpan? Ttl { get; init; }
    /// <summary>Versions of history to keep for the key (1 or more).</summary>
    public int HistoryLimit { get; init; } = 100;
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IStateStore.DeleteAsync"/>.</summary>
public sealed record DeleteStateParams(string Namespace, string Key)
{
    /// <summary>Delete only when the current version is this; null deletes anyway.</summary>
    public long? ExpectedVersion { get; init; }
    /// <summary>Versions of history to keep for the key.</summary>
    public int HistoryLimit { get; init; } = 100;
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IStateStore.ListAsync"/>.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Prefix">Only keys starting with this ("" for all).</param>
/// <param name="After">Only keys after this one (the previous page's <c>Next</c>), or null.</param>
/// <param name="Limit">Most keys, 1–1,000.</param>
public sealed record ListStateParams(string Namespace, string Prefix, string? After, int Limit)
{
    /// <summary>Explicit clock for tests (what counts as expired); null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Params of <see cref="IStateStore.HistoryAsync"/>.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Key">The key.</param>
/// <param name="Before">Only versions before this one, or null for the newest.</param>
/// <param name="Limit">Most versions, 1–1,000.</param>
public sealed record StateHistoryParams(string Namespace, string Key, long? Before, int Limit);

/// <summary>Params of <see cref="IStateStore.ExpireAsync"/>.</summary>
/// <param name="Max">Most keys in one call.</param>
public sealed record ExpireStateParams(int Max)
{
    /// <summary>Versions of history to keep per key.</summary>
    public int HistoryLimit { get; init; } = 100;
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>A key that expired: its namespace, key and the <c>expire</c> version written.</summary>
public sealed record StateExpiry(string Namespace, string Key, long Version);
