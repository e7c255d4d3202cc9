using Microsoft.Extensions.Options;

namespace Nexus.Plugins.Samples.Tests.Shared;

/// <summary>The process-wide pixel budget of the image plugins (issue 15 defect 10: sixteen concurrent 8192 × 8192
/// images took the server to 4.4 GB because the limit held per task only).</summary>
public sealed class ImageMemoryBudgetTests
{
    private static ImageMemoryBudget Budget(long pixels) =>
        new(Options.Create(new SamplePluginsOptions { MaxImagePixelsInFlight = pixels }));

    [Fact]
    public async Task Reservations_BeyondTheBudget_WaitForRoom_InArrivalOrder()
    {
        var budget = Budget(100);
        var first = await budget.ReserveAsync(60, CancellationToken.None);
        var second = budget.ReserveAsync(60, CancellationToken.None);
        var third = budget.ReserveAsync(30, CancellationToken.None);

        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted); // fits, but waits behind the earlier one: no starvation of large images
        Assert.Equal(60, budget.InUse);

        first.Dispose();
        using var s = await second.WaitAsync(TimeSpan.FromSeconds(30));
        using var t = await third.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(90, budget.InUse);
    }

    [Fact]
    public async Task AnImageLargerThanTheBudget_RunsAlone()
    {
        var budget = Budget(100);
        var small = await budget.ReserveAsync(10, CancellationToken.None);
        var huge = budget.ReserveAsync(500, CancellationToken.None);
        Assert.False(huge.IsCompleted);

        small.Dispose();
        using var granted = await huge.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(500, budget.InUse);
    }

    [Fact]
    public async Task ACancelledWait_TakesNothing_AndLetsTheNextOneIn()
    {
        var budget = Budget(100);
        var held = await budget.ReserveAsync(100, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = budget.ReserveAsync(50, cancel.Token);
        var next = budget.ReserveAsync(50, CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held.Dispose();
        using var granted = await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(50, budget.InUse);
    }
}
