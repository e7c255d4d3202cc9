using System.Collections.Concurrent;
using Npgsql;
using Nexus.Events;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>
/// The late-commit rule of the log on PostgreSQL: positions come from a sequence before commit, so an event can commit
/// after one with a higher position. Readers follow (transaction id, position) and read only below the oldest running
/// transaction, so such an event is never skipped.
/// </summary>
public sealed class EventLogOrderingTests : IAsyncLifetime
{
    private PostgresStore _store = null!;
    private const string Ns = "orders";

    public async Task InitializeAsync()
    {
        _store = (await PostgresTestServer.GetAsync()).CreateStore();
        await _store.MigrateAsync();
        await _store.Events.CreateNamespaceAsync(new NewNamespace(Ns));
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static AppendEventsParams Events(string topic, int count = 1) =>
        new(Ns, [.. Enumerable.Range(0, count).Select(i => new NewEvent { Topic = topic, PayloadJson = $$"""{"i":{{i}}}""" })]);

    [Fact]
    public async Task AnEventThatCommitsLate_BelowAHigherCommittedOne_IsNotReadPastButReadInOrderOnceCommitted()
    {
        await using var slowConn = await _store.DataSource.OpenConnectionAsync();
        await using var slow = await slowConn.BeginTransactionAsync();
        var late = (await _store.AppendAsync(slow, Events("t.late")))[0].Position;
        var early = (await _store.Events.AppendAsync(Events("t.early")))[0].Position;
        Assert.True(early > late, "the committed event has the higher position");

        // While the lower position is uncommitted, a reader does not move past it (it would skip it for good).
        var before = await _store.Events.ReadAsync(new ReadEventsParams(Ns, LogCursor.Start, 100));
        Assert.DoesNotContain(before.Events, e => e.Position == early);

        await slow.CommitAsync();
        var after = await Eventually.UntilAsync(() => _store.Events.ReadAsync(new ReadEventsParams(Ns, before.Next, 100)), p => p.Events.Count == 2,
            because: "both events readable", describe: p => string.Join(",", p.Events.Select(e => e.Position)));
        Assert.Equal([late, early], after.Events.Select(e => e.Position));
    }

    [Fact]
    public async Task ManyConcurrentAppenders_WithSlowAndRolledBackTransactions_AReaderFollowingTheCursorSeesEveryCommittedEventOnce()
    {
        const int appenders = 12, transactionsEach = 25;
        var committed = new ConcurrentDictionary<long, bool>();
        var rolledBack = new ConcurrentDictionary<long, bool>();
        var seen = new List<long>();
        var cursors = new List<LogCursor>();
        using var stop = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            var cursor = LogCursor.Start;
            while (true)
            {
                var stopping = stop.IsCancellationRequested;
                var page = await _store.Events.ReadAsync(new ReadEventsParams(Ns, cursor, 500));
                foreach (var e in page.Events)
                {
                    seen.Add(e.Position);
                    cursors.Add(e.Cursor);
                }
                cursor = page.Next;
                if (stopping && page.Events.Count == 0 && seen.Count >= committed.Count) return;
                if (page.Events.Count == 0) await Task.Yield();
            }
        });

        var writers = Enumerable.Range(0, appenders).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var t = 0; t < transactionsEach; t++)
            {
                await using var conn = await _store.DataSource.OpenConnectionAsync();
                await using var tx = await conn.BeginTransactionAsync();
                var results = await _store.AppendAsync(tx, Events($"w{w}.t{t}", random.Next(1, 5)));
                // Hold some transactions open a while, inside the database, so commits land out of position order.
                await using (var hold = new NpgsqlCommand("select pg_sleep($1)", conn, tx))
                {
                    hold.Parameters.AddWithValue(random.Next(0, 4) == 0 ? random.NextDouble() * 0.05 : 0.0);
                    await hold.ExecuteNonQueryAsync();
                }
                if (random.Next(0, 6) == 0)
                {
                    await tx.RollbackAsync();
                    foreach (var r in results) rolledBack[r.Position] = true;
                }
                else
                {
                    await tx.CommitAsync();
                    foreach (var r in results) committed[r.Position] = true;
                }
            }
        })).ToArray();

        await Eventually.WithinAsync(Task.WhenAll(writers), TimeSpan.FromSeconds(120), "the appenders finishing");
        await stop.CancelAsync();
        await Eventually.WithinAsync(reader, TimeSpan.FromSeconds(60), "the reader catching up");

        Assert.True(committed.Count > appenders * transactionsEach, $"only {committed.Count} events committed");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(committed.Keys.Order(), seen.Order());
        Assert.DoesNotContain(seen, rolledBack.ContainsKey);
        for (var i = 1; i < cursors.Count; i++) Assert.True(cursors[i] > cursors[i - 1], $"cursor {cursors[i]} after {cursors[i - 1]}");
    }
    [Fact]
    public async Task FromNow_WaitsForAnOlderWriterToEnd_ThenStartsAfterEveryEventCommittedBeforeIt()
    {
        await using var olderConn = await _store.DataSource.OpenConnectionAsync();
        await using var older = await olderConn.BeginTransactionAsync();
        var during = (await _store.AppendAsync(older, Events("t.older")))[0].Position;
        var done = (await _store.Events.AppendAsync(Events("t.done")))[0].Position;

        // The older transaction could still add events below t.done: "now" is fixed once it has ended.
        var head = _store.Events.CursorAtAsync(Ns, SubscriptionStart.New);
        await older.CommitAsync();
        var cursor = await head;
        var fromNow = await _store.Events.ReadAsync(new ReadEventsParams(Ns, cursor, 100));
        Assert.Empty(fromNow.Events);

        var next = (await _store.Events.AppendAsync(Events("t.next")))[0].Position;
        var read = await Eventually.UntilAsync(() => _store.Events.ReadAsync(new ReadEventsParams(Ns, cursor, 100)), p => p.Events.Count > 0,
            because: "the event written after the cursor");
        Assert.Equal([next], read.Events.Select(e => e.Position));
        Assert.True(done > during);
    }

    [Fact]
    public async Task FromNow_WhenAnOlderWriterOutlastsTheWait_StartsBelowIt_SoItsLaterEventIsNotLost()
    {
        await using var olderConn = await _store.DataSource.OpenConnectionAsync();
        await using var older = await olderConn.BeginTransactionAsync();
        await using (var xid = new NpgsqlCommand("select pg_current_xact_id()", olderConn, older)) await xid.ExecuteScalarAsync();
        var done = (await _store.Events.AppendAsync(Events("t.done")))[0].Position;

        var cursor = await _store.Events.CursorAtAsync(Ns, SubscriptionStart.New);
        var late = (await _store.AppendAsync(older, Events("t.late")))[0].Position;
        await older.CommitAsync();

        var read = await Eventually.UntilAsync(() => _store.Events.ReadAsync(new ReadEventsParams(Ns, cursor, 100)), p => p.Events.Any(e => e.Position == late),
            because: "the older writer's event, committed after the cursor was given", describe: p => string.Join(",", p.Events.Select(e => e.Position)));
        // At least once: the event committed before the answer may come again, the one committed after it must come.
        Assert.Contains(read.Events, e => e.Position == late);
        Assert.All(read.Events, e => Assert.Contains(e.Position, new[] { done, late }));
    }
}
