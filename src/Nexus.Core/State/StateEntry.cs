namespace Nexus.State;

/// <summary>One key of the state store as it is now.</summary>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Key">The key.</param>
/// <param name="ValueJson">Its JSON value, exactly as written.</param>
/// <param name="Version">Its version: 1 when first written, one more on every write (a delete and a re-create go on
/// counting, so a version names one value for good).</param>
/// <param name="CreatedAt">When the key was first written (since it last did not exist).</param>
/// <param name="UpdatedAt">When this version was written.</param>
/// <param name="ExpiresAt">When it expires (TTL), or null.</param>
public sealed record StateEntry(
    string Namespace, string Key, string ValueJson, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt);

/// <summary>One version in a key's history.</summary>
/// <param name="Version">The version.</param>
/// <param name="Operation">What made it: <c>set</c>, <c>delete</c> or <c>expire</c>.</param>
/// <param name="ValueJson">The value it held; null for a delete or an expiry.</param>
/// <param name="At">When.</param>
public sealed record StateVersion(long Version, string Operation, string? ValueJson, DateTimeOffset At);

/// <summary>What a write did.</summary>
/// <param name="Written">False when the expected version did not match (nothing was written).</param>
/// <param name="Entry">The key after a successful set; null after a delete or a conflict.</param>
/// <param name="Version">The version written (set or delete); on a conflict, the current version (0 when the key does
/// not exist).</param>
public sealed record StateWriteResult(bool Written, StateEntry? Entry, long Version)
{
    /// <summary>For a set: true when the key held no live value before it (new, deleted or expired).</summary>
    public bool Created { get; init; }
}

/// <summary>A page of keys, in key order.</summary>
/// <param name="Items">The keys.</param>
/// <param name="Next">The key to pass as <c>after</c> for the next page, or null at the end.</param>
public sealed record StatePage(IReadOnlyList<StateEntry> Items, string? Next);
