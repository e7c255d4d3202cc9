using Nexus.Engine;

namespace Nexus.Core.Tests.Engine;

public sealed class WakeSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ManySets_BetweenTwoWaits_WakeOnce()
    {
        using var signal = new WakeSignal();
        for (var i = 0; i < 1000; i++) signal.Set();

        Assert.True(await signal.WaitAsync(Long, CancellationToken.None));
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task ASetAfterAWake_WakesTheNextWait()
    {
        using var signal = new WakeSignal();
        signal.Set();
        Assert.True(await signal.WaitAsync(Long, CancellationToken.None));

        signal.Set();

        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task AWaitingLoop_SeesEveryPieceOfWorkSetFromOtherThreads()
    {
        // Writers publish work and then set; the loop lowers the flag on waking and then takes what is there. Every
        // piece must be taken, none after the writers stop with the flag down.
        using var signal = new WakeSignal();
        var published = 0;
        var taken = 0;
        const int pieces = 20_000;
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (Volatile.Read(ref taken) < pieces)
            {
                // A lost wake-up leaves the loop here, past the test's deadline below.
                await signal.WaitAsync(Long, stop.Token);
                Volatile.Write(ref taken, Volatile.Read(ref published));
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < pieces / 4; i++)
            {
                Interlocked.Increment(ref published);
                signal.Set();
            }
        })));

        var finished = await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(10)));
        await stop.CancelAsync();

        Assert.Same(loop, finished);
        Assert.Equal(pieces, Volatile.Read(ref taken));
    }

    [Fact]
    public void SettingARaisedFlag_ThrowsNothing()
    {
        // The engine sets its signals once per finished attempt; an exception thrown and caught each time cost a drain
        // tens of thousands of exceptions a second.
        using var signal = new WakeSignal();
        var thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is SemaphoreFullException) Interlocked.Increment(ref thrown);
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            for (var i = 0; i < 100; i++) signal.Set();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.Equal(0, thrown);
    }
}
