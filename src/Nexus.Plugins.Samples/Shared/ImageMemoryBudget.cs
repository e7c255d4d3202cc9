using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples;

/// <summary>
/// The pixels all image tasks of this process may hold at once (<see cref="SamplePluginsOptions.MaxImagePixelsInFlight"/>):
/// an attempt reserves its image's pixels before allocating and waits while the budget is spent, so sixteen
/// concurrent 8192 × 8192 images no longer take 4 GiB — they take turns within the budget. An image larger than the
/// whole budget runs alone. Reservations are granted in arrival order.
/// </summary>
public sealed class ImageMemoryBudget(IOptions<SamplePluginsOptions> options)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(long Pixels, TaskCompletionSource Granted)> _waiting = new();
    private long _inUse;

    /// <summary>Pixels reserved now.</summary>
    public long InUse
    {
        get
        {
            lock (_lock) return _inUse;
        }
    }

    /// <summary>Waits until <paramref name="pixels"/> fit in the budget (or nothing else is reserved), reserves them, and
    /// returns what gives them back.</summary>
    public async Task<IDisposable> ReserveAsync(long pixels, CancellationToken cancellationToken)
    {
        var budget = options.Value.MaxImagePixelsInFlight;
        TaskCompletionSource granted;
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && (_inUse == 0 || _inUse + pixels <= budget))
            {
                _inUse += pixels;
                return new Reservation(this, pixels);
            }
            granted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast((pixels, granted));
        }
        try
        {
            await granted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (!granted.Task.IsCompleted)
                {
                    _waiting.Remove(node);
                    Grant(budget);
                    throw;
                }
            }
            Release(pixels); // granted just as it was cancelled: give it back
            throw;
        }
        return new Reservation(this, pixels);
    }

    private void Release(long pixels)
    {
        lock (_lock)
        {
            _inUse -= pixels;
            Grant(options.Value.MaxImagePixelsInFlight);
        }
    }

    private void Grant(long budget)
    {
        while (_waiting.First is { } first && (_inUse == 0 || _inUse + first.Value.Pixels <= budget))
        {
            _waiting.RemoveFirst();
            _inUse += first.Value.Pixels;
            first.Value.Granted.TrySetResult();
        }
    }

    private sealed class Reservation(ImageMemoryBudget budget, long pixels) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) budget.Release(pixels);
        }
    }
}
