using System.Threading.Channels;

namespace Nexus.Testing.Tests;

public sealed class SignalTests
{
    [Fact]
    public async Task Signal_HandsOverTheFirstValue()
    {
        var signal = new Signal<int>("the answer");

        Assert.True(signal.Set(42));
        Assert.False(signal.Set(43));

        Assert.True(signal.IsSet);
        Assert.Equal(42, await signal.WaitAsync());
    }

    [Fact]
    public async Task Signal_NeverSet_TimesOutNamingIt()
    {
        var signal = new Signal<int>("the answer");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => signal.WaitAsync(TimeSpan.FromMilliseconds(20)));

        Assert.Equal("Timed out after 0.02 s waiting for the answer.", error.Message);
    }

    [Fact]
    public async Task Signal_Failed_ThrowsTheErrorToTheWaiter()
    {
        var signal = new Signal<int>();

        Assert.True(signal.Fail(new InvalidOperationException("broken")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => signal.WaitAsync());
        Assert.Equal("broken", error.Message);
    }

    [Fact]
    public async Task Signal_NeverRunsTheWaitersContinuationInsideSet()
    {
        var signal = new Signal<int>();
        using var insideSet = new ThreadLocal<bool>();
        var waiter = Task.Run(async () =>
        {
            await signal.WaitAsync();
            return insideSet.Value;
        });
        await Eventually.UntilAsync(() => waiter.Status == TaskStatus.WaitingForActivation);

        insideSet.Value = true;
        signal.Set(1);
        insideSet.Value = false;

        Assert.False(await waiter);
    }

    [Fact]
    public async Task Latch_OpensOnce_AndTimesOutNamingItWhileClosed()
    {
        var latch = new Latch("the gate");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => latch.WaitAsync(TimeSpan.FromMilliseconds(20)));
        Assert.Equal("Timed out after 0.02 s waiting for the gate.", error.Message);

        Assert.True(latch.Open());
        Assert.False(latch.Open());

        await latch.WaitAsync();
        Assert.True(latch.IsOpen);
    }

    [Fact]
    public async Task ChannelReader_NextAsync_ReadsOrTimesOutNamingWhat()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);
        channel.Writer.TryWrite(2);
        channel.Writer.TryWrite(3);

        Assert.Equal([1, 2], await channel.Reader.ReadUntilAsync(n => n == 2, "two"));
        Assert.Equal(3, await channel.Reader.NextAsync("three"));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => channel.Reader.NextAsync("a fourth", TimeSpan.FromMilliseconds(20)));
        Assert.Equal("Timed out after 0.02 s waiting for a fourth.", error.Message);
    }
}
