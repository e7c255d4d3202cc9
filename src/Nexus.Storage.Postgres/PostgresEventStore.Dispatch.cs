using Npgsql;
using NpgsqlTypes;
using Nexus.Events;

namespace Nexus.Storage.Postgres;

/// <summary>The dispatcher's transaction (subscriptions with something to read, their batches planned into delivery
/// tasks, cursors moved) and the release of keyed deliveries that wait behind the previous one of their key.</summary>
internal sealed partial class PostgresEventStore
{
    public async Task<DispatchResult> DispatchAsync(
        DispatchParams p, Func<SubscriptionRecord, IReadOnlyList<EventRecord>, IReadOnlyList<NewTask>> plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(plan);
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var own = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        var conn = lease.Connection;
        var tx = lease.Joined?.Transaction ?? own.Transaction!;
        // The horizon is taken before this transaction writes anything (and so before it has an id of its own).
        long xmin;
        await using (var horizon = new NpgsqlCommand("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint", conn, tx))
        {
            xmin = (long)(await horizon.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        var due = new List<SubscriptionRecord>();
        // Only subscriptions with something to read now are taken: one whose namespace is quiet, or whose next event is
        // not below the horizon yet, would read nothing and keep its cursor, and would hold a slot of every round. The
        // furthest behind go first (a served cursor moves ahead of the rest), so no subscription waits behind others
        // that are always busy. Another dispatcher (another node) holding a subscription is skipped, never waited for.
        // The probe is "the first event after the cursor, in index order, limit 1": as a plain EXISTS, the generic plan
        // of the prepared statement took a bitmap scan of every index entry after each cursor (138 ms for 10
        // subscriptions 100,000 events behind; 0.5 ms this way).
        await using (var list = new NpgsqlCommand($"""
            select {SubscriptionColumns} from {subscriptions} s
            where s.cursor_tx < $2 and exists (
                select from (select from {events} e
                             where e.namespace = s.namespace and (e.tx_id, e.position) > (s.cursor_tx::text::xid8, s.cursor_pos) and e.tx_id < $2::text::xid8
                             order by e.tx_id, e.position limit 1) first)
            order by s.cursor_tx, s.cursor_pos, s.id limit $1 for update of s skip locked
            """, conn, tx))
        {
            list.Parameters.Add(new NpgsqlParameter<int> { TypedValue = p.MaxSubscriptions });
            list.Parameters.Add(new NpgsqlParameter<long> { TypedValue = xmin });
            await using var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) due.Add(ReadSubscription(reader));
        }
        int read = 0, delivered = 0;
        var full = false;
        var bySubscription = new Dictionary<long, int>();
        var owners = new HashSet<string>(StringComparer.Ordinal);
        // One read per namespace window (DispatchWindows), not per subscription; then one insert of the whole pass's
        // deliveries and one statement for every cursor, all in this transaction, so deliveries and cursors commit together.
        var shares = await DispatchWindows.ReadAsync(due, p.MaxEvents, async (ns, after) =>
            await ReadAfterAsync(conn, tx, ns, after, p.MaxEvents, xmin, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        var deliveries = new List<NewTask>();
        var planned = new List<(long Subscription, int Count)>();
        var moves = new List<(long Id, LogCursor Cursor)>();
        foreach (var share in shares)
        {
            if (share.Batch.Count == 0) continue;
            full |= share.More;
            read += share.Batch.Count;
            var mine = plan(share.Subscription, share.Batch);
            foreach (var d in mine) if (DeliveryOwner.IsDelivery(d.Owner)) owners.Add(d.Owner!);
            deliveries.AddRange(mine);
            planned.Add((share.Subscription.Id, mine.Count));
            moves.Add((share.Subscription.Id, share.Batch[^1].Cursor));
        }
        if (deliveries.Count > 0)
        {
            var inserted = await inserter.InsertDeliveriesAsync(tx, new InsertTasksParams(deliveries) { Now = p.Now }, cancellationToken).ConfigureAwait(false);
            var at = 0;
            foreach (var (id, count) in planned)
            {
                if (count == 0) continue;
                var created = 0;
                for (var k = at; k < at + count; k++) if (inserted[k].Created) created++;
                at += count;
                delivered += created;
                bySubscription[id] = created;
            }
        }
        if (moves.Count > 0)
        {
            await using var move = new NpgsqlCommand($"""
                update {subscriptions} s set cursor_tx = m.tx, cursor_pos = m.pos
                from unnest($1::bigint[], $2::bigint[], $3::bigint[]) as m(id, tx, pos) where s.id = m.id
                """, conn, tx);
            move.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. moves.Select(m => m.Id)] });
            move.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. moves.Select(m => m.Cursor.Tx)] });
            move.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. moves.Select(m => m.Cursor.Position)] });
            await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (owners.Count > 0) await ReleaseInAsync(conn, tx, [.. owners], p.Now, cancellationToken).ConfigureAwait(false);
        var again = full || due.Count == p.MaxSubscriptions;
        // Committed events at or above the horizon wait for an older transaction to end; nobody announces that, so say so.
        var heldBack = !again && await HeldBackAsync(conn, tx, xmin, cancellationToken).ConfigureAwait(false);
        await own.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Every slot taken: more subscriptions may have something to read; the dispatcher goes on at once.
        return new DispatchResult(due.Count, read, delivered, again) { DeliveriesBySubscription = bySubscription, HeldBack = heldBack };
    }

    /// <summary>Whether a subscription has a committed event after its cursor (as moved by this pass) that the horizon
    /// <paramref name="xmin"/> held back: the same probe as the pass's list, above the horizon instead of below it.</summary>
    private async Task<bool> HeldBackAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long xmin, CancellationToken cancellationToken)
    {
        await using var held = new NpgsqlCommand($"""
            select exists (
                select from {subscriptions} s
                where exists (
                    select from (select from {events} e
                                 where e.namespace = s.namespace and (e.tx_id, e.position) > (s.cursor_tx::text::xid8, s.cursor_pos) and e.tx_id >= $1::text::xid8
                                 order by e.tx_id, e.position limit 1) later))
            """, conn, tx);
        held.Parameters.Add(new NpgsqlParameter<long> { TypedValue = xmin });
        return (bool)(await held.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<int> ReleaseDeliveriesAsync(ReleaseDeliveriesParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        var owners = p.Owners.Where(DeliveryOwner.IsDelivery).Distinct(StringComparer.Ordinal).ToArray();
        if (owners.Length == 0) return 0;
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        await using var own = await lease.BeginAsync(cancellationToken).ConfigureAwait(false);
        var released = await ReleaseInAsync(lease.Connection, lease.Joined?.Transaction ?? own.Transaction!, owners, p.Now, cancellationToken).ConfigureAwait(false);
        await own.CommitAsync(cancellationToken).ConfigureAwait(false);
        return released;
    }

    /// <summary>The advisory lock space of delivery links (the two-key form, apart from the one-key locks of
    /// migrations and partitions).</summary>
    private const int DeliveryLockSpace = 0x4E58_4B4F;

    /// <summary>Releases the next waiting delivery of each link that has none in flight. Each link's lock is taken first
    /// (in one order, so two callers never deadlock on them) and held to commit: a dispatch that inserted a waiting
    /// delivery and the terminal change of the previous one of that link run one after the other, and the second one's
    /// statements see the first one's commit, so one of them releases it.</summary>
    private async Task<int> ReleaseInAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string[] owners, DateTimeOffset? now, CancellationToken cancellationToken)
    {
        await using (var locks = new NpgsqlCommand("""
            select count(*) from (select pg_advisory_xact_lock($1, k) from (select distinct hashtext($2 || o) as k from unnest($3::text[]) o order by k) s) l
            """, conn, tx))
        {
            locks.Parameters.Add(new NpgsqlParameter<int> { TypedValue = DeliveryLockSpace });
            locks.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.Name + "/" });
            locks.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = owners });
            await locks.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        var tasks = db.Schema.Table("tasks");
        await using var release = new NpgsqlCommand($"""
            with o as (select distinct unnest($1::text[]) as owner),
            next as (
                select (select t.id from {tasks} t where t.owner = o.owner and t.state = 'waiting' order by t.id limit 1) as id
                from o
                where not exists (select 1 from {tasks} t where t.owner = o.owner and t.state in ('available', 'scheduled', 'running', 'retrying'))
            ),
            released as (
                update {tasks} set state = 'available', run_at = coalesce($2::timestamptz, now())
                where id in (select id from next where id is not null) and state = 'waiting'
                returning queue
            ),
            woken as (select pg_notify($3, min(queue)) from released having count(*) > 0)
            select (select count(*) from released) + 0 * (select count(*) from woken)
            """, conn, tx);
        release.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = owners });
        release.Parameters.Add(TaskLeases.NowParameter(now));
        release.Parameters.Add(new NpgsqlParameter<string> { TypedValue = db.Schema.NotifyChannel });
        return Convert.ToInt32(await release.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
