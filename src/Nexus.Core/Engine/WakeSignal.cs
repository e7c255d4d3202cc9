namespace Nexus.Engine;

/// <summary>An auto-reset "look for work" flag: many sets between two waits count once, so wake-ups coalesce.
/// A set of a raised flag is a read and nothing more: it used to release a full semaphore and catch the
/// <see cref="SemaphoreFullException"/>, which a drain threw ~18,000 times a second (one per finished attempt).</summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _raised;

    /// <summary>Raises the flag (no-op when already raised).</summary>
    public void Set()
    {
        if (Volatile.Read(ref _raised) == 1 || Interlocked.Exchange(ref _raised, 1) == 1) return;
        _semaphore.Release();
    }

    /// <summary>Waits until the flag is raised (and lowers it) or the timeout passes. True when raised.</summary>
    /// <remarks>The flag is lowered as the wait returns, before the caller looks for work: a set that found it still
    /// raised came after the work it announces was done, and that look sees the work (the exchange orders them).</remarks>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false)) return false;
        Interlocked.Exchange(ref _raised, 0);
        return true;
    }

    public void Dispose() => _semaphore.Dispose();
}
