namespace Nexus.Engine;

/// <summary>An auto-reset "look for work" flag: many sets between two waits count once, so wake-ups coalesce.</summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Raises the flag (no-op when already raised).</summary>
    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already raised: coalesced.
        }
    }

    /// <summary>Waits until the flag is raised (and lowers it) or the timeout passes. True when raised.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _semaphore.Dispose();
}
