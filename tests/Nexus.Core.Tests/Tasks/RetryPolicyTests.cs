using Nexus.Tasks;

namespace Nexus.Core.Tests.Tasks;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy NoJitter = new() { InitialDelay = TimeSpan.FromSeconds(1), Multiplier = 2, MaxDelay = TimeSpan.FromSeconds(30), Jitter = 0 };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(500, 30)]
    public void DelayAfter_GrowsExponentially_UpToTheCap(int attempt, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), NoJitter.DelayAfter(attempt, new Random(1)));

    [Fact]
    public void DelayAfter_WithJitter_StaysWithinTheBand_AndVaries()
    {
        var policy = NoJitter with { Jitter = 0.25 };
        var random = new Random(7);

        var delays = Enumerable.Range(0, 500).Select(_ => policy.DelayAfter(3, random).TotalMilliseconds).ToList();

        Assert.All(delays, d => Assert.InRange(d, 3000, 5000));
        Assert.True(delays.Distinct().Count() > 400, "jitter should spread the delays");
        Assert.InRange(delays.Average(), 3800, 4200);
    }

    [Fact]
    public void DelayAfter_WithTheSameSeed_IsRepeatable() =>
        Assert.Equal(RetryPolicy.Default.DelayAfter(4, new Random(42)), RetryPolicy.Default.DelayAfter(4, new Random(42)));

    [Fact]
    public void DelayAfter_NeverExceedsTheCap_EvenWithJitter()
    {
        var policy = NoJitter with { Jitter = 1 };
        var random = new Random(3);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.True(policy.DelayAfter(50, random) <= policy.MaxDelay));
    }

    [Theory]
    [InlineData(-1, 2, 10, 0.1, "retry.initialDelay")]
    [InlineData(5, 2, 1, 0.1, "retry.maxDelay")]
    [InlineData(1, 0.5, 10, 0.1, "retry.multiplier")]
    [InlineData(1, 2, 10, 1.5, "retry.jitter")]
    public void Validate_NamesTheFieldOutOfRange(double initial, double multiplier, double max, double jitter, string field)
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(initial), Multiplier = multiplier, MaxDelay = TimeSpan.FromSeconds(max), Jitter = jitter };
        Assert.Equal(field, Assert.Throws<TaskValidationException>(() => policy.Validate()).Field);
    }
}
