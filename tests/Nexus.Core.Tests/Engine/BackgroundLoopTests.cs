using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Nexus.Engine;
using Nexus.Hosting;
using Nexus.Storage.Sqlite;
using Nexus.Testing;

namespace Nexus.Core.Tests.Engine;

/// <summary>The one skeleton of background loops: ticks on the injected clock, survives a failing tick, runs
/// leader-only work on the elected node alone, and starts and stops cleanly however often.</summary>
public sealed class BackgroundLoopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private sealed class CountingLoop(TimeProvider time, TimeSpan interval, bool atStart = false, LeaderElector? leader = null, int failOnRun = 0)
        : BackgroundLoop(time, NullLogger.Instance, leader)
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        protected override string What => "counting";

        protected override TimeSpan Interval => interval;

        protected override bool TickAtStart => atStart;

        protected override Task RunOnceAsync(CancellationToken stop)
        {
            var run = Interlocked.Increment(ref _runs);
            if (run == failOnRun) throw new InvalidOperationException("planned failure");
            return Task.CompletedTask;
        }
    }

    private static Task UntilAsync(Func<bool> condition) => Eventually.UntilAsync(condition, Deadline, TimeSpan.FromMilliseconds(5));

    [Fact]
    public async Task ALoop_TicksOncePerIntervalOfItsClock_AndNotBefore()
    {
        var clock = new FakeTimeProvider();
        var loop = new CountingLoop(clock, TimeSpan.FromMinutes(1));
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, loop.Runs);
        for (var i = 1; i <= 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(i == 1 ? 1 : 60));
            await UntilAsync(() => loop.Ticks == i);
        }

        await stop.CancelAsync();
        await running.WaitAsync(Deadline);
        Assert.Equal(3, loop.Runs);
    }

    [Fact]
    public async Task ALoopThatTicksAtStart_RunsBeforeTheFirstInterval()
    {
        var clock = new FakeTimeProvider();
        var loop = new CountingLoop(clock, TimeSpan.FromHours(1), atStart: true);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        await UntilAsync(() => loop.Ticks == 1);
        await stop.CancelAsync();
        await running.WaitAsync(Deadline);
        Assert.Equal(1, loop.Runs);
    }

    [Fact]
    public async Task AFailingTick_IsSurvived_AndTheNextTickRuns()
    {
        var clock = new FakeTimeProvider();
        var loop = new CountingLoop(clock, TimeSpan.FromSeconds(1), failOnRun: 1);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);

        clock.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => loop.Ticks == 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => loop.Ticks == 2);

        await stop.CancelAsync();
        await running.WaitAsync(Deadline);
        Assert.Equal(2, loop.Runs);
        Assert.True(running.IsCompletedSuccessfully);
    }

    /// <summary>A loop whose first tick waits for <see cref="Gate"/> and then fails (not with a cancellation).</summary>
    private sealed class FailingWhileStoppingLoop(TimeProvider time) : BackgroundLoop(time, NullLogger.Instance, null)
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override string What => "failing while stopping";

        protected override TimeSpan Interval => TimeSpan.FromHours(1);

        protected override bool TickAtStart => true;

        protected override async Task RunOnceAsync(CancellationToken stop)
        {
            Entered.TrySetResult();
            await Gate.Task;
            throw new InvalidCastException("planned failure after the stop was asked for");
        }
    }

    [Fact]
    public async Task ATickFailingWhileTheLoopStops_IsLogged_AndTheStopStillSucceeds()
    {
        // A tick in flight when the engine stops, failing with an error of its own (the event log's maintenance did,
        // with a cast), used to escape the loop and fail the host's StopAsync.
        var loop = new FailingWhileStoppingLoop(new FakeTimeProvider());
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);
        await loop.Entered.Task.WaitAsync(Deadline);

        await stop.CancelAsync();
        loop.Gate.SetResult();
        await running.WaitAsync(Deadline);

        Assert.True(running.IsCompletedSuccessfully);
        Assert.Equal(1, loop.Ticks);
    }

    /// <summary>Runs <paramref name="test"/> on a migrated SQLite store in a temp folder, deleted afterwards.</summary>
    private static async Task WithStoreAsync(Func<SqliteStore, Task> test)
    {
        var folder = Directory.CreateTempSubdirectory("nexus-loop-");
        try
        {
            await using var store = new SqliteStore(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(folder.FullName, "nexus.db")}" });
            await store.MigrateAsync();
            await test(store);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task LeaderOnlyLoops_RunOnTheElectedNodeAlone_AndAnotherTakesOverAfterItResigns()
    {
        await WithStoreAsync(async store =>
        {
            var clock = new StoreClock(TimeProvider.System);
            var a = new LeaderElector(store.Leader, new NexusOptions { NodeId = "node-a" }, clock);
            var b = new LeaderElector(store.Leader, new NexusOptions { NodeId = "node-b" }, clock);
            var loopA = new CountingLoop(TimeProvider.System, TimeSpan.FromHours(1), leader: a);
            var loopB = new CountingLoop(TimeProvider.System, TimeSpan.FromHours(1), leader: b);

            await loopA.TickAsync(CancellationToken.None);
            await loopB.TickAsync(CancellationToken.None);
            await loopA.TickAsync(CancellationToken.None);
            Assert.Equal((2, 0), (loopA.Runs, loopB.Runs));

            await a.ResignAsync(CancellationToken.None);
            await loopB.TickAsync(CancellationToken.None);
            await loopA.TickAsync(CancellationToken.None);
            Assert.Equal((2, 1), (loopA.Runs, loopB.Runs));
        });
    }

    private sealed class CountingLeaderStore(Storage.ILeaderStore inner) : Storage.ILeaderStore
    {
        private int _acquires;

        public int Acquires => Volatile.Read(ref _acquires);

        public Task<bool> TryAcquireAsync(Storage.LeaderParams p, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _acquires);
            return inner.TryAcquireAsync(p, cancellationToken);
        }

        public Task ResignAsync(Storage.LeaderParams p, CancellationToken cancellationToken = default) => inner.ResignAsync(p, cancellationToken);
    }

    [Fact]
    public async Task ALeader_RenewsAtMostOncePerAThirdOfItsLease_AndAnotherNodeStillTakesOverWhenItStops()
    {
        await WithStoreAsync(async store =>
        {
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            var clock = new StoreClock(time);
            var counted = new CountingLeaderStore(store.Leader);
            var options = new NexusOptions { NodeId = "node-a", RescueInterval = TimeSpan.FromSeconds(5) };
            var a = new LeaderElector(counted, options, clock);
            var b = new LeaderElector(store.Leader, new NexusOptions { NodeId = "node-b", RescueInterval = TimeSpan.FromSeconds(5) }, clock);
            Assert.Equal(TimeSpan.FromSeconds(5), a.RenewEvery);

            // Many loops asking within one renewal period: one write.
            for (var i = 0; i < 10; i++)
            {
                Assert.True(await a.LeadsAsync(CancellationToken.None));
                time.Advance(TimeSpan.FromMilliseconds(400));
            }
            Assert.Equal(1, counted.Acquires);
            // 4 s in: still inside the period. At 5 s the next question renews.
            Assert.True(await a.LeadsAsync(CancellationToken.None));
            Assert.Equal(1, counted.Acquires);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(await a.LeadsAsync(CancellationToken.None));
            Assert.Equal(2, counted.Acquires);

            // A renewed lease outlives the period a leader takes it as held: b cannot take it meanwhile.
            time.Advance(a.RenewEvery - TimeSpan.FromMilliseconds(1));
            Assert.False(await b.LeadsAsync(CancellationToken.None));
            // a stops asking (it died): after its lease (three periods) b takes over.
            time.Advance(a.Ttl);
            Assert.True(await b.LeadsAsync(CancellationToken.None));
            // And a, asking again later, finds out it no longer leads.
            time.Advance(a.RenewEvery);
            Assert.False(await a.LeadsAsync(CancellationToken.None));
        });
    }

    [Fact]
    public async Task StartingAndStoppingALoopManyTimes_AlwaysEndsPromptly_WithoutAnError()
    {
        var clock = new FakeTimeProvider();
        for (var i = 0; i < 200; i++)
        {
            var loop = new CountingLoop(clock, TimeSpan.FromMilliseconds(1), atStart: i % 2 == 0);
            using var stop = new CancellationTokenSource();
            var running = Task.Run(() => loop.RunAsync(stop.Token));
            if (i % 3 == 0) clock.Advance(TimeSpan.FromMilliseconds(1));
            await stop.CancelAsync();
            await running.WaitAsync(Deadline);
            Assert.True(running.IsCompletedSuccessfully, $"run {i} ended {running.Status}");
        }
    }
}
