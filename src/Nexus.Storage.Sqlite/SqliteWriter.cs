using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Nexus.Storage.Sqlite;

/// <summary>
/// The one writer of a process: writes queue up and are applied by one loop, as many as are waiting in one
/// <c>BEGIN IMMEDIATE</c> transaction, each inside its own savepoint. One commit (one fsync) then serves every
/// caller of the batch, and a failing write rolls back only its own savepoint. Results are handed out after the commit.
/// </summary>
internal sealed class SqliteWriter(Func<CancellationToken, Task<SqliteConnection>> open) : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startLock = new();
    private Task? _loop;
    private SqliteConnection? _connection;
    // Set on the writer loop's own flow: a write queued from inside a write would wait for itself.
    private readonly AsyncLocal<bool> _insideWrite = new();

    public Task<T> WriteAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_insideWrite.Value)
        {
            throw new InvalidOperationException(
                "A SQLite write was started from inside another (a unit of work or a hook): use the stores of the transaction you were given (tx.Tasks, …), not the store's own, which would wait for the writer that is running you.");
        }
        var write = new Write<T>(work, cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(write), this);
        lock (_startLock) _loop ??= Task.Run(LoopAsync, CancellationToken.None);
        return write.Result;
    }

    private async Task LoopAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        _insideWrite.Value = true;
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var w))
            {
                if (w.IsCancelled) w.Cancel();
                else batch.Add(w);
            }
            if (batch.Count > 0) await RunBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunBatchAsync(List<IWrite> batch)
    {
        var done = new List<IWrite>(batch.Count);
        SqliteTaskCounts.Scope? counts = null;
        try
        {
            _connection ??= await open(CancellationToken.None).ConfigureAwait(false);
            await using var tx = _connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the cross-process write lock
            // The task count changes of the batch's writes are written once, just before the commit (SqliteTaskCounts).
            counts = SqliteTaskCounts.Enter(_connection);
            foreach (var write in batch)
            {
                var changes = SqliteTaskCounts.Enter(_connection);
                if (batch.Count == 1)
                {
                    await write.RunAsync(tx).ConfigureAwait(false);
                    if (write.Failed) changes.Drop();
                    else changes.Keep();
                    done.Add(write);
                    continue;
                }
                tx.Save("w");
                await write.RunAsync(tx).ConfigureAwait(false);
                if (write.Failed)
                {
                    changes.Drop();
                    tx.Rollback("w");
                }
                else changes.Keep();
                tx.Release("w");
                done.Add(write);
            }
            var kept = counts.Value.Keep();
            counts = null;
            if (batch.Count == 1 && batch[0].Failed) await tx.RollbackAsync().ConfigureAwait(false);
            else
            {
                await kept.WriteAsync(tx, CancellationToken.None).ConfigureAwait(false);
                await tx.CommitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            counts?.DropAll();
            foreach (var write in batch) write.Fail(ex);
            if (ex is SqliteException && _connection is not null)
            {
                // The connection may be in an unknown state; the next batch opens a fresh one.
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
            return;
        }
        foreach (var write in done) write.Publish();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        Task? loop;
        lock (_startLock) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
        else if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private interface IWrite
    {
        bool IsCancelled { get; }
        bool Failed { get; }
        Task RunAsync(SqliteTransaction tx);
        void Publish();
        void Fail(Exception ex);
        void Cancel();
    }

    private sealed class Write<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) : IWrite
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _value;
        private Exception? _error;

        public Task<T> Result => _tcs.Task;
        public bool IsCancelled => cancellationToken.IsCancellationRequested;
        public bool Failed => _error is not null;

        public async Task RunAsync(SqliteTransaction tx)
        {
            try
            {
                _value = await work(tx).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _error = ex;
            }
        }

        public void Publish()
        {
            if (_error is not null) _tcs.TrySetException(_error);
            else _tcs.TrySetResult(_value!);
        }

        public void Fail(Exception ex) => _tcs.TrySetException(_error ?? ex);
        public void Cancel() => _tcs.TrySetCanceled(cancellationToken);
    }
}
