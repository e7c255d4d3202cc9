using System.Data;
using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>Insert wake-ups through LISTEN/NOTIFY. Each listener holds one dedicated connection on the store's
/// channel; when that connection is lost it reconnects with backoff and, once listening again, calls the callback
/// with null: notifications sent while it was away are gone, so the engine must look for work itself.</summary>
internal sealed class PostgresNotifications(PostgresDatabase db) : ITaskNotifications
{
    public async Task<IAsyncDisposable> ListenAsync(Action<string?> onWake, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onWake);
        var listener = new Listener(db, onWake);
        await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        return listener;
    }

    private sealed class Listener(PostgresDatabase db, Action<string?> onWake) : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly TaskCompletionSource firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task loop = Task.CompletedTask;
        private int disposed;

        /// <summary>Returns once the first attempt to listen is over. If it failed, listening goes on being attempted
        /// in the background, and the first success reports null (look for work) like any reconnect.</summary>
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            loop = Task.Run(RunAsync, CancellationToken.None);
            try
            {
                await firstAttempt.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1) return;
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is the point.
            }
            stop.Dispose();
        }

        private async Task RunAsync()
        {
            var options = db.Options;
            var delay = options.ListenReconnectMinDelay;
            var resync = false;
            var token = stop.Token;
            while (!token.IsCancellationRequested)
            {
                NpgsqlConnection? conn = null;
                try
                {
                    conn = await db.DataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                    conn.Notification += OnNotification;
                    await using (var listen = new NpgsqlCommand($"listen \"{db.Schema.NotifyChannel}\"", conn))
                    {
                        await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }
                    delay = options.ListenReconnectMinDelay;
                    firstAttempt.TrySetResult();
                    if (resync) Wake(null);
                    resync = true;

                    while (true)
                    {
                        if (!await conn.WaitAsync(options.ListenKeepAlive, token).ConfigureAwait(false))
                        {
                            // Quiet for a while: prove the connection is alive, or fail into a reconnect.
                            await using var ping = new NpgsqlCommand("select 1", conn);
                            await ping.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    // The connection goes back to the pool: it must not stay subscribed, or an idle pooled session
                    // would hold back the server's notification queue.
                    if (conn is { State: ConnectionState.Open }) await UnlistenQuietlyAsync(conn).ConfigureAwait(false);
                    break;
                }
                catch (Exception)
                {
                    // Lost or never had the connection: retry below. Wakes sent meanwhile are lost, hence the resync.
                    resync = true;
                    firstAttempt.TrySetResult();
                }
                finally
                {
                    if (conn is not null)
                    {
                        conn.Notification -= OnNotification;
                        await DisposeQuietlyAsync(conn).ConfigureAwait(false);
                    }
                }

                try
                {
                    await Task.Delay(delay, options.TimeProvider, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.ListenReconnectMaxDelay.Ticks));
            }
        }

        private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
        {
            if (e.Channel != db.Schema.NotifyChannel) return;
            Wake(string.IsNullOrEmpty(e.Payload) ? null : e.Payload);
        }

        private void Wake(string? queue)
        {
#pragma warning disable CA1031 // A throwing callback must not end the listener; the engine polls anyway.
            try
            {
                onWake(queue);
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031
        }

        private static async Task UnlistenQuietlyAsync(NpgsqlConnection conn)
        {
#pragma warning disable CA1031 // A connection broken by the cancellation is discarded by the pool anyway.
            try
            {
                await using var unlisten = new NpgsqlCommand("unlisten *", conn) { CommandTimeout = 5 };
                await unlisten.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031
        }

        private static async Task DisposeQuietlyAsync(NpgsqlConnection conn)
        {
#pragma warning disable CA1031 // Disposing a broken connection may throw; it is being thrown away anyway.
            try
            {
                await conn.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031
        }
    }
}
