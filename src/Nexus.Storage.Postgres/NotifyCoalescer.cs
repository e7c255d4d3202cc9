using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>
/// Wakes other processes after plain submits that overlap others (a submit alone in its process notifies inside its own
/// statement, <see cref="TaskInserter"/>) with at most one NOTIFY in flight: everything submitted while one is
/// being sent is folded into the next. PostgreSQL serializes the commits of transactions that issued NOTIFY (a global
/// lock held through the commit's WAL flush), so notifying inside every submit transaction made concurrent single
/// submits queue behind each other. Sent after the submit committed, the wake-up never outruns the rows it announces.
/// Transactional submits (the caller's transaction) still notify inside it, so the wake-up fires at their commit.
/// A submit waits until a NOTIFY covering its signal was sent, so wake-ups keep the order of the submits; an append to
/// the log posts its signal and returns at its commit (<see cref="Post"/>).
/// </summary>
internal sealed class NotifyCoalescer(PostgresDatabase db)
{
    private readonly Lock _lock = new();
    private string? _pending;
    private TaskCompletionSource? _covering;
    private bool _sending;

    /// <summary>Asks for a wake-up for <paramref name="queue"/> ("" means several or any queue); completes once a
    /// NOTIFY covering it was sent (or failed: a lost wake-up only delays work until the next poll).</summary>
    public Task SignalAsync(string queue)
    {
        Task covered;
        lock (_lock)
        {
            _pending = _pending is null || _pending == queue ? queue : "";
            _covering ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            covered = _covering.Task;
            if (_sending) return covered;
            _sending = true;
        }
        _ = Task.Run(SendAsync);
        return covered;
    }

    /// <summary>Asks for a wake-up without waiting for it: for appends to the log, whose readers follow positions in the
    /// log rather than the order of wake-ups. The caller's commit stands either way; a NOTIFY that is late or lost only
    /// delays other processes until their next poll, and this process's own readers are woken in-process.</summary>
    public void Post(string queue) => _ = SignalAsync(queue);

    private async Task SendAsync()
    {
        while (true)
        {
            string payload;
            TaskCompletionSource covering;
            lock (_lock)
            {
                if (_pending is null)
                {
                    _sending = false;
                    return;
                }
                payload = _pending;
                covering = _covering!;
                _pending = null;
                _covering = null;
            }
            try
            {
                await using var conn = await db.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                await using var cmd = new NpgsqlCommand("select pg_notify($1, $2)", conn);
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.NotifyChannel });
                cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
                await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or StoreException or TimeoutException or InvalidOperationException)
            {
                // A lost wake-up only delays work until the workers' next poll.
            }
            covering.TrySetResult();
        }
    }
}
