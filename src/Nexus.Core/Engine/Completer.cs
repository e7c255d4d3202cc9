using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Writes completions in batches: whatever has queued up while the previous batch was being written goes in the next one.</summary>
internal sealed class Completer(INexusStore store, StoreClock clock, int batchSize, ILogger logger, Action<IReadOnlyList<TaskCompletion>, IReadOnlyList<bool>> onStored)
{
    private readonly Channel<TaskCompletion> _channel = Channel.CreateUnbounded<TaskCompletion>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(TaskCompletion completion)
    {
        if (!_channel.Writer.TryWrite(completion))
        {
            throw new InvalidOperationException("The completer has stopped; a completion arrived after shutdown.");
        }
    }

    /// <summary>Stops accepting completions; <see cref="RunAsync"/> ends once all queued ones are written.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    public async Task RunAsync()
    {
        var batch = new List<TaskCompletion>(batchSize);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < batchSize && reader.TryRead(out var item)) batch.Add(item);
            await WriteAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<TaskCompletion> batch)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var accepted = await store.Tasks.CompleteAsync(new CompleteParams([.. batch]) { Now = clock.Now }).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (!accepted[i])
                    {
                        logger.LogWarning("Completion of task {TaskId} ({Kind}) was rejected: its lease was lost (rescued after expiry), so another attempt owns it.", batch[i].Id, batch[i].Kind);
                    }
                }
                onStored(batch, accepted);
                return;
            }
            catch (Exception ex) when (attempt >= 30)
            {
                logger.LogError(ex, "Giving up writing {Count} completions after {Attempt} tries; their tasks will be rescued when their leases expire.", batch.Count, attempt);
                onStored(batch, new bool[batch.Count]);
                return;
            }
            catch (Exception ex)
            {
                // The store is unreachable for a moment. Keep the batch: leases cover the tasks meanwhile, and the fence
                // makes a late write harmless if they were rescued.
                logger.LogError(ex, "Writing {Count} completions failed (try {Attempt}); retrying in {Delay}.", batch.Count, attempt, delay);
                await Task.Delay(delay, clock.Time).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }
}
