using Nexus.Scheduling;

namespace Nexus.Core.Tests.Scheduling;

/// <summary>The misfire table: which slots since the cursor fire and which are misfires, per policy.</summary>
public sealed class FirePlannerTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(1);

    private static DateTimeOffset At(string hhmmss) => DateTimeOffset.Parse($"2030-01-01T{hhmmss}Z", System.Globalization.CultureInfo.InvariantCulture);

    private static FirePlan Plan(string cron, string cursor, string now, MisfirePolicy policy, TimeSpan? window = null) =>
        FirePlanner.Plan(CronSlots.Parse(cron, "UTC"), At(cursor), At(now), policy, window ?? TimeSpan.FromHours(1), Threshold);

    [Theory]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.FireOnce)]
    [InlineData(MisfirePolicy.FireAll)]
    public void OnTimeSlot_FiresUnderEveryPolicy(MisfirePolicy policy)
    {
        var plan = Plan("* * * * *", "10:00:00", "10:01:30", policy);

        Assert.Equal([At("10:01:00")], plan.Fire);
        Assert.Equal(0, plan.Missed);
        Assert.Equal(At("10:01:00"), plan.NewCursor);
    }

    [Fact]
    public void NothingDue_PlansNothing_AndLeavesTheCursor()
    {
        var plan = Plan("0 * * * *", "10:00:00", "10:59:59", MisfirePolicy.FireAll);

        Assert.Empty(plan.Fire);
        Assert.Null(plan.NewCursor);
    }

    // Hourly, cursor 09:30, now 13:10: slots 10:00, 11:00, 12:00 and 13:00 are all late (threshold 1 minute).
    [Theory]
    [InlineData(MisfirePolicy.Skip, "", 4, "13:00:00")]
    [InlineData(MisfirePolicy.FireOnce, "13:00:00", 3, "12:00:00")]
    [InlineData(MisfirePolicy.FireAll, "12:00:00,13:00:00", 2, "11:00:00")]
    public void LateSlots_FollowThePolicy(MisfirePolicy policy, string fired, int missed, string lastMissed)
    {
        var plan = Plan("0 * * * *", "09:30:00", "13:10:00", policy, TimeSpan.FromHours(2));

        Assert.Equal(fired.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(At), plan.Fire);
        Assert.Equal(missed, plan.Missed);
        Assert.Equal(At(lastMissed), plan.LastMissed);
        Assert.Equal(At("13:00:00"), plan.NewCursor);
    }

    [Theory]
    [InlineData(MisfirePolicy.Skip, 4)]
    [InlineData(MisfirePolicy.FireOnce, 4)]
    [InlineData(MisfirePolicy.FireAll, 0)]
    public void LateSlotsFollowedByAnOnTimeOne_TheOnTimeOneFires(MisfirePolicy policy, int missed)
    {
        var plan = Plan("* * * * *", "10:00:00", "10:05:30", policy);

        Assert.Equal(missed, plan.Missed);
        Assert.Equal(At("10:05:00"), plan.Fire[^1]);
        Assert.Equal(5 - missed, plan.Fire.Count);
    }

    [Fact]
    public void FireAll_CatchesUpAtMostAHundredPerTick_OldestFirst_AndTheCursorStopsAtTheLast()
    {
        var plan = Plan("* * * * * *", "10:00:00", "10:10:00", MisfirePolicy.FireAll);

        Assert.Equal(ScheduleLimits.MaxCatchUpPerTick, plan.Fire.Count);
        Assert.Equal(At("10:00:01"), plan.Fire[0]);
        Assert.Equal(At("10:01:40"), plan.NewCursor);
        Assert.Equal(0, plan.Missed);
    }

    [Fact]
    public void ADayOfMissedSeconds_IsDecidedInBoundedSteps_AndFireOnceFiresOnlyTheLatest()
    {
        var cron = CronSlots.Parse("* * * * * *", "UTC");
        var cursor = At("00:00:00");
        var now = At("23:00:00");
        var fired = new List<DateTimeOffset>();
        var missed = 0;
        for (var step = 0; step < 20; step++)
        {
            var plan = FirePlanner.Plan(cron, cursor, now, MisfirePolicy.FireOnce, TimeSpan.FromHours(1), Threshold);
            if (plan.NewCursor is null) break;
            Assert.True(plan.Missed + plan.Fire.Count <= FirePlanner.MaxScan);
            fired.AddRange(plan.Fire);
            missed += plan.Missed;
            cursor = plan.NewCursor.Value;
        }

        Assert.Equal(23 * 3600, missed + fired.Count);
        // The slots of the last minute are on time; of the late ones only the latest fires.
        Assert.Equal(61, fired.Count);
        Assert.Equal(At("23:00:00"), cursor);
    }
}
