namespace Nexus.Engine;

/// <summary>The clock passed to the store: null (the database's own clock) unless a non-system TimeProvider is in use, as in tests.</summary>
internal sealed class StoreClock(TimeProvider time)
{
    public DateTimeOffset? Now => ReferenceEquals(time, TimeProvider.System) ? null : time.GetUtcNow();
    public TimeProvider Time => time;
}
