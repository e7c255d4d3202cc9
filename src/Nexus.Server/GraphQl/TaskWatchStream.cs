using Nexus.Server.Api.Mapping;
using Nexus.Hosting;
using Nexus.Contracts;
using Nexus.Tasks;

namespace Nexus.Server.GraphQl;

/// <summary>
/// <c>subscription { task(id) }</c>'s feed: the task as it is now, then the task again each time its state, attempt,
/// progress, result, errors or cancel request changed, until it has finished (then the stream completes). Tasks are not
/// in the event log, so the feed reads the task: every <see cref="GraphQlOptions.TaskWatchInterval"/>, sooner while it
/// keeps changing (from a tenth of the interval, doubling). A change that is undone between two reads is not seen; the
/// terminal state always is. Disposing it stops the reads. The caller's rights were checked before it was made.
/// </summary>
internal sealed class TaskWatchStream(INexusTasks tasks, TaskRecord first, TimeSpan interval, TimeProvider time, ILogger logger) : IObservable<TaskResponse>
{
    public IDisposable Subscribe(IObserver<TaskResponse> observer)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(() => RunAsync(observer, stop.Token), CancellationToken.None);
        return new Stopper(stop);
    }

    private async Task RunAsync(IObserver<TaskResponse> observer, CancellationToken stop)
    {
        try
        {
            var task = first;
            var seen = Seen.Of(task);
            observer.OnNext(TaskMapping.ToResponse(task));
            var fastest = interval / 10;
            var wait = fastest;
            while (!task.State.IsTerminal())
            {
                await Task.Delay(wait, time, stop).ConfigureAwait(false);
                // Deleted meanwhile: it will not change again.
                if (await tasks.GetAsync(task.Id, stop).ConfigureAwait(false) is not { } now) break;
                task = now;
                var next = Seen.Of(task);
                if (next == seen)
                {
                    wait = TimeSpan.FromTicks(Math.Min(interval.Ticks, wait.Ticks * 2));
                    continue;
                }
                seen = next;
                wait = fastest;
                observer.OnNext(TaskMapping.ToResponse(task));
            }
            observer.OnCompleted();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "A GraphQL task subscription on task {Id} failed.", first.Id);
            observer.OnError(ex);
        }
    }

    /// <summary>What a subscriber is told about: a change of any of these sends the task again.</summary>
    private readonly record struct Seen(TaskState State, int Attempt, double? Fraction, string? Message, string? Result, int Errors, bool CancelRequested)
    {
        public static Seen Of(TaskRecord t) => new(t.State, t.Attempt, t.Progress?.Fraction, t.Progress?.Message, t.ResultJson, t.Errors.Count, t.CancelRequested);
    }

    private sealed class Stopper(CancellationTokenSource stop) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            // Cancelled, not disposed: the reader may still be reading its token.
            if (Interlocked.Exchange(ref _disposed, 1) == 0) stop.Cancel();
        }
    }
}
