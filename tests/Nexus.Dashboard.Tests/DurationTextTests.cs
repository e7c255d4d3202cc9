using Nexus.Dashboard.Data;

namespace Nexus.Dashboard.Tests;

/// <summary>Durations on the pages (service checks, plugin timeouts) read as people write them, not as TimeSpans.</summary>
public sealed class DurationTextTests
{
    [Theory]
    [InlineData(0, "0 ms")]
    [InlineData(250, "250 ms")]
    [InlineData(1_500, "1.5 s")]
    [InlineData(30_000, "30 s")]
    [InlineData(90_000, "1 min 30 s")]
    [InlineData(3_600_000, "1 h")]
    [InlineData(5_430_000, "1 h 30 min")]
    [InlineData(108_000_000, "1 d 6 h")]
    [InlineData(-2_000, "-2 s")]
    public void Format_ShowsTheTwoLargestUnits(double ms, string expected) =>
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromMilliseconds(ms)));
}
