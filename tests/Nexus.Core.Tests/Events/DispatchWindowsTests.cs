using Nexus.Events;
using Nexus.Storage;

namespace Nexus.Core.Tests.Events;

/// <summary>The dispatch pass's shared read: one read of the log per namespace window, not per subscription.</summary>
public sealed class DispatchWindowsTests
{
    /// <summary>A log of positions 1..<paramref name="count"/> in namespace "a" (and "b" with its own positions), read
    /// like a driver's read: events after the cursor, in log order, up to the limit; every read is recorded.</summary>
    private sealed class Log(int count, int limit)
    {
        public List<(string Namespace, long After)> Reads { get; } = [];

        public Task<IReadOnlyList<EventRecord>> ReadAsync(string ns, LogCursor after)
        {
            Reads.Add((ns, after.Position));
            IReadOnlyList<EventRecord> batch = [.. Enumerable.Range(1, count).Select(i => (long)i).Where(p => p > after.Position).Take(limit).Select(p => Event(ns, p))];
            return Task.FromResult(batch);
        }
    }

    private static EventRecord Event(string ns, long position) => new()
    {
        Position = position,
        Cursor = new LogCursor(0, position),
        Namespace = ns,
        Topic = "t.x",
        PayloadJson = "{}",
        Time = DateTimeOffset.UnixEpoch,
    };

    private static SubscriptionRecord Sub(long id, string ns, long cursor) => new()
    {
        Id = id,
        Namespace = ns,
        Name = "s" + id,
        Pattern = ">",
        Action = SubscriptionActions.Plugin,
        Queue = "q",
        Cursor = new LogCursor(0, cursor),
    };

    private static Dictionary<long, long[]> ById(IReadOnlyList<DispatchWindows.Share> shares) =>
        shares.ToDictionary(s => s.Subscription.Id, s => s.Batch.Select(e => e.Position).ToArray());

    [Fact]
    public async Task SubscriptionsOfOneNamespaceAtOneCursor_ShareOneRead()
    {
        var log = new Log(count: 8, limit: 100);
        var due = Enumerable.Range(1, 10).Select(i => Sub(i, "a", 0)).ToArray();

        var shares = await DispatchWindows.ReadAsync(due, 100, log.ReadAsync);

        Assert.Equal([("a", 0L)], log.Reads);
        Assert.All(shares, s => Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], s.Batch.Select(e => e.Position)));
        Assert.All(shares, s => Assert.False(s.More));
        Assert.Equal(10, shares.Count);
    }

    [Fact]
    public async Task CursorsInsideTheWindow_GetThePartAfterTheirOwn_OneReadPerNamespace()
    {
        var log = new Log(count: 8, limit: 100);
        SubscriptionRecord[] due = [Sub(1, "a", 5), Sub(2, "b", 1), Sub(3, "a", 0), Sub(4, "a", 8), Sub(5, "a", 3)];

        var shares = ById(await DispatchWindows.ReadAsync(due, 100, log.ReadAsync));

        Assert.Equal([("a", 0L), ("b", 1L)], log.Reads);
        Assert.Equal([6, 7, 8], shares[1]);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], shares[2]);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], shares[3]);
        Assert.Empty(shares[4]);
        Assert.Equal([4, 5, 6, 7, 8], shares[5]);
    }

    [Fact]
    public async Task ACursorPastAFullWindow_StartsAWindowOfItsOwn_AndNoOneWaitsBehindTheSlowest()
    {
        var log = new Log(count: 1000, limit: 4);
        SubscriptionRecord[] due = [Sub(1, "a", 0), Sub(2, "a", 2), Sub(3, "a", 4), Sub(4, "a", 900), Sub(5, "a", 901)];

        var result = await DispatchWindows.ReadAsync(due, 4, log.ReadAsync);
        var shares = ById(result);

        Assert.Equal([("a", 0L), ("a", 4L), ("a", 900L)], log.Reads);
        Assert.Equal([1, 2, 3, 4], shares[1]);
        Assert.Equal([3, 4], shares[2]);
        Assert.Equal([5, 6, 7, 8], shares[3]);
        Assert.Equal([901, 902, 903, 904], shares[4]);
        Assert.Equal([902, 903, 904], shares[5]);
        Assert.All(result, s => Assert.True(s.More));
    }
}
