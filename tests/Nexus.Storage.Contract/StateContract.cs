using Nexus.Events;
using Nexus.State;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>The versioned state store on both drivers: versions, compare-and-set (one winner per version under
/// concurrent writers), deletes that keep counting, TTLs, prefix listing in code point order, bounded history, and
/// writes that join a unit of work.</summary>
public abstract class StateContract : StoreContract
{
    private const string Ns = "app";

    private Task<StateWriteResult> SetAsync(string key, string value, long? expected = null, TimeSpan? ttl = null, DateTimeOffset? now = null, int history = 100) =>
        Store.State.SetAsync(new SetStateParams(Ns, key, value) { ExpectedVersion = expected, Ttl = ttl, Now = now ?? T0, HistoryLimit = history });

    [Fact]
    public async Task ASet_IsVersionOne_AndReadsBackExactlyAsWritten()
    {
        const string value = """{"b":1, "a":[1.0,2e3,-0], " ":"é\u2028😀"}""";

        var written = await SetAsync("users/1", value, now: T0);

        Assert.True(written.Written);
        Assert.Equal(1, written.Version);
        var entry = await Store.State.GetAsync(Ns, "users/1");
        Assert.NotNull(entry);
        Assert.Equal((value, 1L, T0, T0, (DateTimeOffset?)null), (entry.ValueJson, entry.Version, entry.CreatedAt, entry.UpdatedAt, entry.ExpiresAt));
        Assert.Null(await Store.State.GetAsync("other", "users/1"));
    }

    [Fact]
    public async Task CompareAndSet_WritesOnlyOverTheExpectedVersion_AndAConflictNamesTheCurrentOne()
    {
        Assert.True((await SetAsync("k", "1", expected: 0)).Written);
        var conflict = await SetAsync("k", "2", expected: 0);
        Assert.Equal((false, 1L), (conflict.Written, conflict.Version));
        Assert.True((await SetAsync("k", "2", expected: 1, now: T0.AddSeconds(1))).Written);
        var stale = await SetAsync("k", "3", expected: 1);
        Assert.Equal((false, 2L, (StateEntry?)null), (stale.Written, stale.Version, stale.Entry));

        var entry = await Store.State.GetAsync(Ns, "k");
        Assert.Equal(("2", 2L, T0, T0.AddSeconds(1)), (entry!.ValueJson, entry.Version, entry.CreatedAt, entry.UpdatedAt));
        var missing = await SetAsync("absent", "1", expected: 4);
        Assert.Equal((false, 0L), (missing.Written, missing.Version));
    }

    [Fact]
    public async Task ASet_SaysWhetherItCreatedTheKey_EvenWithinOneClockTick()
    {
        // All at T0: telling a create from an update by comparing times would call every one of these a create.
        Assert.True((await SetAsync("c", "1")).Created);
        Assert.False((await SetAsync("c", "2")).Created);
        Assert.True((await Store.State.DeleteAsync(new DeleteStateParams(Ns, "c") { Now = T0 })).Written);
        Assert.True((await SetAsync("c", "3")).Created);
    }

    [Fact]
    public async Task ADelete_KeepsTheVersionCounting_AndTheHistorySaysWhatHappened()
    {
        await SetAsync("k", "\"a\"");
        await SetAsync("k", "\"b\"");
        Assert.Equal((false, 2L), Pick(await Store.State.DeleteAsync(new DeleteStateParams(Ns, "k") { ExpectedVersion = 1, Now = T0 })));
        Assert.Equal((true, 3L), Pick(await Store.State.DeleteAsync(new DeleteStateParams(Ns, "k") { ExpectedVersion = 2, Now = T0 })));
        Assert.Null(await Store.State.GetAsync(Ns, "k"));
        Assert.Equal((false, 0L), Pick(await Store.State.DeleteAsync(new DeleteStateParams(Ns, "k") { Now = T0 })));

        var recreated = await SetAsync("k", "\"c\"", expected: 0);
        Assert.Equal((true, 4L), (recreated.Written, recreated.Version));

        var history = await Store.State.HistoryAsync(new StateHistoryParams(Ns, "k", null, 10));
        Assert.Equal([(4L, "set", "\"c\""), (3L, "delete", null), (2L, "set", "\"b\""), (1L, "set", "\"a\"")],
            history.Select(v => (v.Version, v.Operation, v.ValueJson)));
        var older = await Store.State.HistoryAsync(new StateHistoryParams(Ns, "k", 3, 1));
        Assert.Equal(2L, Assert.Single(older).Version);
    }

    private static (bool, long) Pick(StateWriteResult r) => (r.Written, r.Version);

    [Fact]
    public async Task History_IsBoundedPerKey()
    {
        for (var i = 1; i <= 5; i++) await SetAsync("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture), history: 3);

        var history = await Store.State.HistoryAsync(new StateHistoryParams(Ns, "k", null, 100));

        Assert.Equal([5L, 4L, 3L], history.Select(v => v.Version));
    }

    [Fact]
    public async Task AnExpiredKey_ReadsAsAbsent_IsSwept_AndARewriteGoesOnCounting()
    {
        var now = DateTimeOffset.UtcNow;
        await SetAsync("short", "1", ttl: TimeSpan.FromSeconds(1), now: now.AddMinutes(-1));
        await SetAsync("long", "1", ttl: TimeSpan.FromHours(1), now: now);

        Assert.Null(await Store.State.GetAsync(Ns, "short"));
        Assert.NotNull(await Store.State.GetAsync(Ns, "long"));
        Assert.Equal(["long"], (await Store.State.ListAsync(new ListStateParams(Ns, "", null, 10) { Now = now })).Items.Select(e => e.Key));

        var swept = await Store.State.ExpireAsync(new ExpireStateParams(10) { Now = now });
        Assert.Equal([new StateExpiry(Ns, "short", 2)], swept);
        Assert.Empty(await Store.State.ExpireAsync(new ExpireStateParams(10) { Now = now }));
        Assert.Equal("expire", (await Store.State.HistoryAsync(new StateHistoryParams(Ns, "short", null, 1)))[0].Operation);

        var again = await SetAsync("short", "2", expected: 0, now: now);
        Assert.Equal((true, 3L), (again.Written, again.Version));
    }

    [Fact]
    public async Task OverwritingALiveKey_SetsOrClearsItsExpiry_KeepsItsCreation_AndKeepsTheHistoryBounded()
    {
        await SetAsync("k", "1", now: T0);

        var withTtl = await SetAsync("k", "2", expected: 1, ttl: TimeSpan.FromMinutes(10), now: T0.AddSeconds(1), history: 2);
        Assert.Equal((true, 2L, false), (withTtl.Written, withTtl.Version, withTtl.Created));
        Assert.Equal((T0, T0.AddSeconds(1), (DateTimeOffset?)T0.AddSeconds(1).AddMinutes(10)),
            (withTtl.Entry!.CreatedAt, withTtl.Entry.UpdatedAt, withTtl.Entry.ExpiresAt));
        var stored = await Store.State.ListAsync(new ListStateParams(Ns, "k", null, 10) { Now = T0.AddSeconds(2) });
        Assert.Equal(((DateTimeOffset?)T0.AddSeconds(1).AddMinutes(10), T0), (stored.Items.Single().ExpiresAt, stored.Items.Single().CreatedAt));

        var cleared = await SetAsync("k", "3", now: T0.AddSeconds(2), history: 2);
        Assert.Equal((3L, (DateTimeOffset?)null), (cleared.Version, cleared.Entry!.ExpiresAt));
        Assert.Null((await Store.State.GetAsync(Ns, "k"))!.ExpiresAt);

        var stale = await SetAsync("k", "4", expected: 2, now: T0.AddSeconds(3), history: 2);
        Assert.Equal((false, 3L), (stale.Written, stale.Version));
        var history = await Store.State.HistoryAsync(new StateHistoryParams(Ns, "k", null, 10));
        Assert.Equal([3L, 2L], history.Select(v => v.Version));
        Assert.Equal(["3", "2"], history.Select(v => v.ValueJson));
    }

    [Fact]
    public async Task OverwritingAKeyThatExpiredUnswept_RecordsTheExpiryFirst()
    {
        await SetAsync("k", "1", ttl: TimeSpan.FromMinutes(1), now: T0);

        var written = await SetAsync("k", "2", expected: 0, now: T0.AddMinutes(5));

        Assert.Equal(3L, written.Version);
        Assert.Equal([(3L, "set"), (2L, "expire"), (1L, "set")],
            (await Store.State.HistoryAsync(new StateHistoryParams(Ns, "k", null, 10))).Select(v => (v.Version, v.Operation)));
        Assert.Equal(T0.AddMinutes(5), written.Entry!.CreatedAt);
    }

    [Fact]
    public async Task List_ByPrefix_InCodePointOrder_WithKeysetPaging()
    {
        foreach (var key in new[] { "a/é", "a/1", "b", "a/z", "ab", "a/2", "a" }) await SetAsync(key, "0");

        var first = await Store.State.ListAsync(new ListStateParams(Ns, "a/", null, 3) { Now = T0 });
        var second = await Store.State.ListAsync(new ListStateParams(Ns, "a/", first.Next, 3) { Now = T0 });

        Assert.Equal(["a/1", "a/2", "a/z"], first.Items.Select(e => e.Key));
        Assert.Equal("a/z", first.Next);
        Assert.Equal(["a/é"], second.Items.Select(e => e.Key));
        Assert.Null(second.Next);
        Assert.Equal(["a", "a/1", "a/2", "a/z", "a/é", "ab", "b"], (await Store.State.ListAsync(new ListStateParams(Ns, "", null, 100) { Now = T0 })).Items.Select(e => e.Key));
    }

    [Fact]
    public async Task ConcurrentCompareAndSets_HaveExactlyOneWinnerPerVersion()
    {
        await SetAsync("counter", "0");
        for (var round = 1; round <= 10; round++)
        {
            var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 8).Select(w =>
                Store.State.SetAsync(new SetStateParams(Ns, "counter", $"{{\"round\":{round},\"writer\":{w}}}") { ExpectedVersion = round })));
            Assert.Single(results, r => r.Written);
            Assert.All(results.Where(r => !r.Written), r => Assert.Equal(round + 1L, r.Version));
        }
        Assert.Equal(11L, (await Store.State.GetAsync(Ns, "counter"))!.Version);
    }

    [Fact]
    public async Task StateWrites_JoinAUnitOfWork_AndRollBackWithIt()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.InTransactionAsync<int>(async (tx, ct) =>
        {
            await tx.State.SetAsync(new SetStateParams(Ns, "k", "1") { Now = T0 }, ct);
            Assert.Equal("1", (await tx.State.GetAsync(Ns, "k", ct))?.ValueJson);
            await tx.Tasks.InsertAsync(new InsertTasksParams([Task()]) { Now = T0 }, ct);
            throw new InvalidOperationException("no");
        }));
        Assert.Null(await Store.State.GetAsync(Ns, "k"));
        Assert.Empty((await Store.Tasks.ListAsync(new TaskQuery { Limit = 10 })).Items);

        var version = await Store.InTransactionAsync(async (tx, ct) =>
        {
            var first = await tx.State.SetAsync(new SetStateParams(Ns, "k", "1") { Now = T0 }, ct);
            var second = await tx.State.SetAsync(new SetStateParams(Ns, "k", "2") { ExpectedVersion = first.Version, Now = T0 }, ct);
            return second.Version;
        });
        Assert.Equal(2L, version);
        Assert.Equal("2", (await Store.State.GetAsync(Ns, "k"))!.ValueJson);
    }

    /// <summary>The log of <see cref="Ns"/> up to a marker appended now (on PostgreSQL a commit is readable once every
    /// older transaction of the cluster ended).</summary>
    private async Task<IReadOnlyList<EventRecord>> LogAsync()
    {
        await Store.Events.AppendAsync(new AppendEventsParams(Ns, [new NewEvent { Topic = "test.marker", PayloadJson = "{}" }]) { Now = T0 });
        IReadOnlyList<EventRecord> log = [];
        await Eventually.UntilAsync(async () => (log = (await Store.Events.ReadAsync(new ReadEventsParams(Ns, LogCursor.Start, 100))).Events).Any(e => e.Topic == "test.marker"),
            because: "the marker to be readable");
        return [.. log.Where(e => e.Topic != "test.marker")];
    }

    [Fact]
    public async Task ALoggedLiveWrite_WritesTheKeyAndAppendsItsChange_Together_OrNeither()
    {
        await Store.Events.CreateNamespaceAsync(new NewNamespace(Ns) { Now = T0 });
        var first = await SetAsync("doc", "1", now: T0);
        var change = new NewEvent { Topic = "test.state.doc", PayloadJson = """{"version":2}""", Key = "doc", Headers = new Dictionary<string, string> { ["h"] = "1" } };
        Task<StateWriteResult?> LoggedAsync(string key, long? expected, TimeSpan? ttl = null) =>
            Store.State.SetLiveLoggedAsync(new SetStateParams(Ns, key, "2") { ExpectedVersion = expected, Ttl = ttl, Now = T0.AddSeconds(1) }, change);

        var written = await LoggedAsync("doc", first.Version);

        Assert.NotNull(written);
        Assert.Equal((true, 2L, false), (written.Written, written.Version, written.Created));
        var entry = await Store.State.GetAsync(Ns, "doc");
        Assert.Equal(("2", 2L, T0, T0.AddSeconds(1)), (entry!.ValueJson, entry.Version, entry.CreatedAt, entry.UpdatedAt));
        Assert.Equal([2L, 1L], (await Store.State.HistoryAsync(new StateHistoryParams(Ns, "doc", null, 10))).Select(h => h.Version));
        // A stale version, a key that does not exist: nothing written, nothing appended.
        Assert.Null(await LoggedAsync("doc", first.Version));
        Assert.Null(await LoggedAsync("absent", 1));
        // A namespace that does not exist (the log needs it): nothing written either.
        await Store.State.SetAsync(new SetStateParams("no-log", "doc", "1") { Now = T0 });
        Assert.Null(await Store.State.SetLiveLoggedAsync(new SetStateParams("no-log", "doc", "2") { ExpectedVersion = 1, Now = T0 }, change));
        Assert.Equal(("1", 1L), ((await Store.State.GetAsync("no-log", "doc"))!.ValueJson, (await Store.State.GetAsync("no-log", "doc"))!.Version));
        Assert.Null(await Store.State.GetAsync(Ns, "absent"));
        Assert.Equal(2L, (await Store.State.GetAsync(Ns, "doc"))!.Version);
        await Assert.ThrowsAsync<ArgumentException>(() => LoggedAsync("doc", null));
        await Assert.ThrowsAsync<ArgumentException>(() => LoggedAsync("doc", 2, TimeSpan.FromMinutes(1)));

        var log = Assert.Single(await LogAsync());
        Assert.Equal(("test.state.doc", "doc", T0.AddSeconds(1), "1"), (log.Topic, log.Key, log.Time, log.Headers["h"]));
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(log.PayloadJson).RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task ALoggedLiveWrite_InAUnitOfWorkThatRollsBack_LeavesNeitherTheWriteNorTheChange()
    {
        await Store.Events.CreateNamespaceAsync(new NewNamespace(Ns) { Now = T0 });
        var first = await SetAsync("doc", "1", now: T0);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.InTransactionAsync<int>(async (tx, ct) =>
        {
            var written = await tx.State.SetLiveLoggedAsync(
                new SetStateParams(Ns, "doc", "2") { ExpectedVersion = first.Version, Now = T0 }, new NewEvent { Topic = "test.state.doc", PayloadJson = "{}" }, ct);
            Assert.NotNull(written);
            throw new InvalidOperationException("roll back");
        }));

        Assert.Equal(("1", 1L), ((await Store.State.GetAsync(Ns, "doc"))!.ValueJson, (await Store.State.GetAsync(Ns, "doc"))!.Version));
        Assert.Empty(await LogAsync());
    }
}
