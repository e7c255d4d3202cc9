using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nexus.Storage;

namespace Nexus.Engine;

/// <summary>Writes completions in batches: whatever has queued up while the previous batch was being written goes in the next one.</summary>
internal sealed class Completer(
    INexusStore store, StoreClock clock, int batchSize, ILogger logger, Action<IReadOnlyList<TaskCompletion>, IReadOnlyList<bool>> onStored,
    Func<long, Guid, int?>? attemptOf = null)
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
            catch (Exception ex) when (!IsTransient(ex) && batch.Count > 1)
            {
                // The store refused the batch itself (a value it cannot hold, a hook that threw): write the halves, so one
                // poison completion cannot hold back the others.
                logger.LogWarning(ex, "Writing {Count} completions was refused; writing them in halves to find the one at fault.", batch.Count);
                var half = batch.Count / 2;
                await WriteAsync(batch[..half]).ConfigureAwait(false);
                await WriteAsync(batch[half..]).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!IsTransient(ex) && attempt >= RefusedTries)
            {
                await StoreRefusalAsync(batch[0], ex).ConfigureAwait(false);
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
                // The store is unreachable for a moment (or refused one completion, which may pass on another try). Keep
                // the batch: leases cover the tasks meanwhile, and the fence makes a late write harmless if they were rescued.
                logger.LogError(ex, "Writing {Count} completions failed (try {Attempt}); retrying in {Delay}.", batch.Count, attempt, delay);
                await Task.Delay(delay, clock.Time).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>Tries of one completion the store keeps refusing (not for want of a connection) before it is written as
    /// dead with the refusal as its error, instead of being rescued and run again forever.</summary>
    internal const int RefusedTries = 3;

    private async Task StoreRefusalAsync(TaskCompletion completion, Exception refusal)
    {
        logger.LogError(refusal, "The store refused the outcome ({Kind}) of task {TaskId} {Tries} times; storing the task as dead with that error.", completion.Kind, completion.Id, RefusedTries);
        var dead = new TaskCompletion(completion.Id, completion.LeaseToken, CompletionKind.Dead)
        {
            Unowned = completion.Unowned,
            Error = new Tasks.AttemptError(attemptOf?.Invoke(completion.Id, completion.LeaseToken) ?? completion.Error?.Attempt ?? 0, clock.Time.GetUtcNow(), "OutcomeRefused",
                $"The store refused this attempt's outcome ({completion.Kind}): {refusal.Message}", null),
        };
        try
        {
            var accepted = await store.Tasks.CompleteAsync(new CompleteParams([dead]) { Now = clock.Now }).ConfigureAwait(false);
            onStored([dead], accepted);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not store task {TaskId} as dead either; it will be rescued when its lease expires.", completion.Id);
            onStored([completion], [false]);
        }
    }

    /// <summary>A failure to reach the store, as opposed to the store refusing what was written.</summary>
    private static bool IsTransient(Exception ex) =>
        ex is StoreException or TimeoutException or IOException or OperationCanceledException
        || (ex is System.Data.Common.DbException db && (db.IsTransient || db.InnerException is IOException or TimeoutException or System.Net.Sockets.SocketException));
}
