using System.Diagnostics;
using Npgsql;
using Nexus.Events;

namespace Nexus.Storage.Postgres;

/// <summary>Where "only new events" starts on PostgreSQL.</summary>
internal sealed partial class PostgresEventStore
{
    /// <summary>How long <see cref="NewCursorAsync"/> waits for older writers to end before it settles for the cautious
    /// cursor.</summary>
    internal static readonly TimeSpan HeadSettleLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The cursor of "from now": every event committed before the call is at or below it, every event committed after it
    /// returns is above it. Transaction ids order the log, and a transaction that began before a committed event's one
    /// may still be running (in any database of the cluster: ids are shared). Placing the cursor at the newest committed
    /// event would skip such a transaction's events when it commits later; placing it below the oldest running one
    /// (<c>xmin - 1</c>) would hand out events already committed. So when committed events lie above <c>xmin</c>, this
    /// waits (bounded by <see cref="HeadSettleLimit"/>) until every transaction older than the newest of them has ended:
    /// whatever those wrote has then committed before the answer, and the cursor can sit at that newest event. Inside a
    /// joined unit of work, or when the wait runs out, it answers <c>xmin - 1</c>: at least once, never lost.
    /// </summary>
    private async Task<LogCursor> NewCursorAsync(NpgsqlConnection conn, NpgsqlTransaction? joined, string @namespace, CancellationToken cancellationToken)
    {
        await using var head = new NpgsqlCommand($"""
            select pg_snapshot_xmin(s)::text::bigint,
                   (select e.tx_id::text::bigint from {events} e
                    where e.namespace = $1 and e.tx_id >= pg_snapshot_xmin(s)
                    order by e.tx_id desc, e.position desc limit 1)
            from pg_current_snapshot() s
            """, conn, joined);
        head.Parameters.Add(new NpgsqlParameter<string> { TypedValue = @namespace });
        long xmin;
        long? newest;
        await using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            xmin = reader.GetInt64(0);
            newest = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }
        var cautious = new LogCursor(xmin - 1, long.MaxValue);
        // The joined transaction may itself be one of the older writers: waiting for it would wait for ourselves.
        if (newest is not { } tx || joined is not null) return cautious;

        await using var poll = new NpgsqlCommand("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint", conn);
        var started = Stopwatch.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var now = (long)(await poll.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (now > tx) return new LogCursor(tx, long.MaxValue);
            if (Stopwatch.GetElapsedTime(started) >= HeadSettleLimit) return cautious;
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 50));
        }
    }
}
