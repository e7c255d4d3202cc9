namespace Nexus.Testing.Tests;

public sealed class EventuallyTests
{
    [Fact]
    public async Task UntilAsync_ReturnsTheFirstValueThatMeetsTheCondition()
    {
        var reads = 0;

        var value = await Eventually.UntilAsync(() => Task.FromResult(++reads), n => n >= 3, step: TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, value);
        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task UntilAsync_WhenTheConditionNeverHolds_ThrowsNamingWhatWasAwaitedAndTheLastValue()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.UntilAsync(() => Task.FromResult("running"), s => s == "done", TimeSpan.FromMilliseconds(50), because: "the job to finish"));

        Assert.Equal("Timed out after 0.05 s waiting for the job to finish; last seen: \"running\"", error.Message);
    }

    [Fact]
    public async Task UntilAsync_DescribesASequenceByItsItems_OrAsTheCallerSays()
    {
        var list = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.UntilAsync(() => Task.FromResult<int[]>([1, 2]), a => a.Length == 3, TimeSpan.FromMilliseconds(20), because: "three"));
        var custom = await Assert.ThrowsAsync<TimeoutException>(() =>
            Eventually.UntilAsync(() => Task.FromResult(2), n => n == 3, TimeSpan.FromMilliseconds(20), because: "three", describe: n => $"{n} of 3"));

        Assert.EndsWith("last seen: [1, 2]", list.Message, StringComparison.Ordinal);
        Assert.EndsWith("last seen: 2 of 3", custom.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntilAsync_OfABoolean_ThrowsNamingTheCondition()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.UntilAsync(() => false, TimeSpan.FromMilliseconds(20)));

        Assert.StartsWith("Timed out after 0.02 s waiting for the condition", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntilAsync_PropagatesAnExceptionOfTheRead()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Eventually.UntilAsync<int>(() => throw new InvalidOperationException("boom"), _ => true));
    }

    [Fact]
    public async Task WithinAsync_ReturnsACompletedValue_AndNamesWhatTimedOut()
    {
        Assert.Equal(7, await Eventually.WithinAsync(Task.FromResult(7)));
        var never = new TaskCompletionSource<int>();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.WithinAsync(never.Task, TimeSpan.FromMilliseconds(20), "the reply"));

        Assert.Equal("Timed out after 0.02 s waiting for the reply.", error.Message);
    }
}
