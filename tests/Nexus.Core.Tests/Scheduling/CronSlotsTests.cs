using Nexus.Scheduling;

namespace Nexus.Core.Tests.Scheduling;

/// <summary>Slots across daylight saving changes in two time zones (Cronos' rules, pinned here so a package update that
/// changes them fails a test).</summary>
public sealed class CronSlotsTests
{
    private static DateTimeOffset Utc(string s) => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();

    private static IReadOnlyList<DateTimeOffset> Slots(string cron, string zone, string from, string until) =>
        CronSlots.Parse(cron, zone).Between(Utc(from), Utc(until), 1000);

    [Fact]
    public void Berlin_SpringForward_ASlotInTheSkippedHourFiresOnce_AtTheJump()
    {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist that night.
        var slots = Slots("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z");

        Assert.Equal([Utc("2026-03-29T01:00:00Z"), Utc("2026-03-30T00:30:00Z")], slots);
    }

    [Fact]
    public void Berlin_SpringForward_HourlySlotsSkipTheMissingHour_AndStayAnHourApartInUtc()
    {
        var slots = Slots("0 * * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");

        // The local day 29 March has 23 hours: 00:00 CET (23:00 UTC the day before) to 23:00 CEST (21:00 UTC).
        Assert.Equal(23, slots.Count);
        Assert.DoesNotContain(slots, s => TimeZoneInfo.ConvertTime(s, CronSlots.FindZone("Europe/Berlin")).Hour == 2);
        Assert.All(slots.Zip(slots.Skip(1)), p => Assert.Equal(TimeSpan.FromHours(1), p.Second - p.First));
    }

    [Fact]
    public void Berlin_FallBack_ADailySlotInTheRepeatedHourFiresOnce_AtItsFirstOccurrence()
    {
        // 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens at 00:30 UTC and again at 01:30 UTC.
        var slots = Slots("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z");

        Assert.Equal([Utc("2026-10-25T00:30:00Z"), Utc("2026-10-26T01:30:00Z")], slots);
    }

    [Fact]
    public void Berlin_FallBack_AStepWithinTheRepeatedHourFiresInBothOfIt()
    {
        var slots = Slots("*/30 2 * * *", "Europe/Berlin", "2026-10-24T22:00:00Z", "2026-10-25T03:00:00Z");

        Assert.Equal([Utc("2026-10-25T00:00:00Z"), Utc("2026-10-25T00:30:00Z"), Utc("2026-10-25T01:00:00Z"), Utc("2026-10-25T01:30:00Z")], slots);
    }

    [Fact]
    public void NewYork_SpringForward_ASlotInTheSkippedHourFiresOnce_AtTheJump()
    {
        // 8 March 2026: 02:00 EST becomes 03:00 EDT (07:00 UTC).
        var slots = Slots("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z");

        Assert.Equal([Utc("2026-03-08T07:00:00Z"), Utc("2026-03-09T06:30:00Z")], slots);
    }

    [Fact]
    public void NewYork_FallBack_ADailySlotInTheRepeatedHourFiresOnce()
    {
        // 1 November 2026: 02:00 EDT becomes 01:00 EST (06:00 UTC); 01:30 happens at 05:30 UTC and again at 06:30 UTC.
        var slots = Slots("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z");

        Assert.Equal([Utc("2026-11-01T05:30:00Z"), Utc("2026-11-02T06:30:00Z")], slots);
    }

    [Fact]
    public void NewYork_FallBack_HourlySlotsCoverTheLongDay_25Hours()
    {
        var slots = Slots("0 * * * *", "America/New_York", "2026-11-01T03:59:00Z", "2026-11-02T04:59:00Z");

        Assert.Equal(25, slots.Count);
        Assert.All(slots.Zip(slots.Skip(1)), p => Assert.Equal(TimeSpan.FromHours(1), p.Second - p.First));
    }

    [Fact]
    public void SixFields_ReadTheFirstAsSeconds()
    {
        var slots = Slots("*/15 * * * * *", "UTC", "2030-01-01T00:00:00Z", "2030-01-01T00:01:00Z");

        Assert.Equal([15, 30, 45, 0], slots.Select(s => s.Second));
    }

    [Fact]
    public void Preview_ReturnsTheNextSlots_InTheZone()
    {
        var preview = CronSlots.Parse("0 9 * * 1-5", "America/New_York").Preview(Utc("2030-01-04T15:00:00Z"), 3); // a Friday after 9:00 EST

        Assert.Equal([Utc("2030-01-07T14:00:00Z"), Utc("2030-01-08T14:00:00Z"), Utc("2030-01-09T14:00:00Z")], preview);
    }

    [Theory]
    [InlineData("", "UTC", "cron")]
    [InlineData("61 * * * *", "UTC", "cron")]
    [InlineData("* * *", "UTC", "cron")]
    [InlineData("* * * * * * *", "UTC", "cron")]
    [InlineData("* * * * *", "Mars/Olympus", "timeZone")]
    public void Parse_BadInput_NamesTheField(string cron, string zone, string field)
    {
        var ex = Assert.Throws<TaskValidationException>(() => CronSlots.Parse(cron, zone));

        Assert.Equal(field, ex.Field);
    }
}
