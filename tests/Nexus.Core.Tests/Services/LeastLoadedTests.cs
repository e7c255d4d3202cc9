using Nexus.Services;

namespace Nexus.Core.Tests.Services;

/// <summary>Power of two choices over this node's in-flight invokes.</summary>
public sealed class LeastLoadedTests
{
    private static ServiceInstance Instance(string id) => new() { Name = "svc", Id = id, BaseUrl = $"http://127.0.0.1/{id}" };

    [Fact]
    public void OfTwo_TheOneWithFewerInFlightWinsEveryTime()
    {
        var balancer = new LeastLoaded(new Random(7));
        var (a, b) = (Instance("a"), Instance("b"));
        using var busy = balancer.Start(a);

        var picks = Enumerable.Range(0, 50).Select(_ => balancer.Choose([a, b])!.Id).ToList();

        Assert.All(picks, p => Assert.Equal("b", p));
    }

    [Fact]
    public void OfMany_ABusyInstanceIsChosenOnlyWhenDrawnWithAnEquallyBusyOne_AndLoadSpreads()
    {
        var balancer = new LeastLoaded(new Random(11));
        var all = Enumerable.Range(0, 5).Select(i => Instance($"i{i}")).ToList();
        var holds = new List<IDisposable>();
        for (var i = 0; i < 200; i++) holds.Add(balancer.Start(balancer.Choose(all)!));

        var counts = all.Select(i => balancer.InFlight(i.Name, i.Id)).ToList();

        Assert.Equal(200, counts.Sum());
        Assert.True(counts.Max() - counts.Min() <= 3, $"in flight: {string.Join(", ", counts)}");
        foreach (var h in holds) h.Dispose();
        Assert.All(all, i => Assert.Equal(0, balancer.InFlight(i.Name, i.Id)));
    }

    [Fact]
    public void NoneHealthy_ChoosesNothing() => Assert.Null(new LeastLoaded(new Random(1)).Choose([]));
}
