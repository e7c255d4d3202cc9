using Nexus.Tasks;

namespace Nexus.Core.Tests.Tasks;

/// <summary>The bounds every stored instant and duration stays within, and the retry policy kept inside them.</summary>
public sealed class TaskBoundsTests
{
    [Fact]
    public void DelayAfter_OfAPolicyBeyondTheBounds_IsClampedToTheLongestRetryDelay()
    {
        // Such a policy fails validation, but rows written before the bounds existed still hold it.
        var huge = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(3e14), MaxDelay = TimeSpan.FromMilliseconds(3e14), Jitter = 0.5 };

        var delay = huge.DelayAfter(7, new Random(1));

        Assert.InRange(delay, TimeSpan.Zero, TaskBounds.MaxRetryDelay);
    }

    [Theory]
    [InlineData(366, 366, "retry.initialDelay")]
    [InlineData(1, 366, "retry.maxDelay")]
    public void Validate_RejectsDelaysBeyondTheLongestRetryDelay(double initialDays, double maxDays, string field)
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromDays(initialDays), MaxDelay = TimeSpan.FromDays(maxDays) };

        var ex = Assert.Throws<TaskValidationException>(() => policy.Validate());

        Assert.Equal(field, ex.Field);
        Assert.Contains("365 days", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StoredValuesOutOfRange_ReadBackClamped()
    {
        Assert.Equal(TaskBounds.MaxInstant, TaskBounds.FromUnixMilliseconds(long.MaxValue));
        Assert.Equal(TaskBounds.MinInstant, TaskBounds.FromUnixMilliseconds(long.MinValue));
        Assert.Equal(TaskBounds.MaxTimeout, TaskBounds.TimeoutFromMilliseconds(long.MaxValue));
        Assert.Equal(TaskBounds.MaxRetryDelay, TaskBounds.RetryDelayFromMilliseconds(double.PositiveInfinity));
        Assert.Equal(TimeSpan.Zero, TaskBounds.RetryDelayFromMilliseconds(double.NaN));
        Assert.Equal("100 years (3153600000000 ms)", TaskBounds.Describe(TaskBounds.MaxDelay));
    }
}
