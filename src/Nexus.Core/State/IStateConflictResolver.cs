namespace Nexus.State;

/// <summary>
/// Merges instead of failing when a compare-and-set finds a newer version than the writer expected. Register in DI
/// (<c>services.AddSingleton&lt;IStateConflictResolver, CartMerger&gt;()</c>); the first resolver whose
/// <see cref="Handles"/> is true for the key decides. The merged value is written over the current version (and may
/// conflict again, then it is asked again, up to ten times).
/// </summary>
public interface IStateConflictResolver
{
    /// <summary>True when this resolver decides conflicts of that key.</summary>
    bool Handles(string @namespace, string key);

    /// <summary>The value to write instead, or null to fail the write with <see cref="StateConflictException"/>.</summary>
    string? Resolve(StateConflict conflict);
}

/// <summary>A compare-and-set that lost.</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Key">The key.</param>
/// <param name="ExpectedVersion">The version the writer expected.</param>
/// <param name="Current">The key as it is now, or null when it does not exist.</param>
/// <param name="ProposedJson">What the writer wanted to write.</param>
public sealed record StateConflict(string Namespace, string Key, long ExpectedVersion, StateEntry? Current, string ProposedJson);

/// <summary>A compare-and-set found another version than expected.</summary>
public sealed class StateConflictException(string @namespace, string key, long expected, long current)
    : NexusException("state-conflict", $"State key '{key}' in namespace '{@namespace}' is at version {current}, not {expected}; read it again and retry.")
{
    /// <summary>The version the writer expected.</summary>
    public long ExpectedVersion { get; } = expected;
    /// <summary>The current version (0: the key does not exist).</summary>
    public long CurrentVersion { get; } = current;
}

/// <summary>The key does not exist.</summary>
public sealed class StateNotFoundException(string @namespace, string key)
    : NexusException("state-not-found", $"State key '{key}' does not exist in namespace '{@namespace}'.");
