using Nexus.Events;

namespace Nexus.Storage;

/// <summary>Argument rules the state store drivers share.</summary>
public static class StateStoreRules
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="p"/> suits
    /// <see cref="IStateStore.SetLiveLoggedAsync"/>: an expected version of 1 or more, no TTL, and a change without an idempotency key.</summary>
    public static void ValidateLiveLogged(SetStateParams p, NewEvent change)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(change);
        if (p.ExpectedVersion is not > 0) throw new ArgumentException("A logged live write needs an expected version of 1 or more.", nameof(p));
        if (change.IdempotencyKey is not null) throw new ArgumentException("A logged live write's change carries no idempotency key.", nameof(change));
        if (p.Ttl is not null) throw new ArgumentException("A logged live write takes no TTL (its expiry would be the database's time).", nameof(p));
    }
}
