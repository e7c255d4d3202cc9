using Nexus.Events;

namespace Nexus.Core.Tests.Events;

/// <summary>The topic and pattern grammar (NATS): <c>*</c> one segment, <c>&gt;</c> the rest; <c>$</c> reserved.</summary>
public sealed class TopicGrammarTests
{
    public static TheoryData<string, string, bool> Matching => new()
    {
        { "orders.created", "orders.created", true },
        { "orders.created", "orders.paid", false },
        { "orders.*", "orders.created", true },
        { "orders.*", "orders.eu.created", false },
        { "orders.*", "orders", false },
        { "orders.>", "orders.created", true },
        { "orders.>", "orders.eu.created", true },
        { "orders.>", "orders", false },
        { "*.created", "orders.created", true },
        { "*.created", "orders.eu.created", false },
        { "*.*.created", "orders.eu.created", true },
        { "orders.*.created", "orders.eu.created", true },
        { "orders.*.created", "orders.eu.paid", false },
        { "orders.*.>", "orders.eu.created.late", true },
        { "orders.*.>", "orders.eu", false },
        { ">", "orders", true },
        { ">", "orders.eu.created", true },
        { "*", "orders", true },
        { "*", "orders.created", false },
        { "Orders.created", "orders.created", false },
        // Reserved topics only match patterns that start with '$' themselves.
        { ">", "$state.cart", false },
        { "*.cart", "$state.cart", false },
        { "$state.>", "$state.cart", true },
        { "$state.*", "$state.cart.items", false },
        { "$state.cart", "$state.cart", true },
        { "$state.>", "state.cart", false },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public void Pattern_Matches_AsTheNatsGrammarSays(string pattern, string topic, bool matches) =>
        Assert.Equal(matches, TopicPattern.Parse(pattern).Matches(topic));

    public static TheoryData<string?, bool, string> Topics => new()
    {
        { "orders.created", true, "" },
        { "a", true, "" },
        { "orders.eu-west.created_at.v2", true, "" },
        { null, false, "required" },
        { "", false, "required" },
        { "orders..created", false, "empty segment" },
        { ".orders", false, "empty segment" },
        { "orders.", false, "empty segment" },
        { "orders.*", false, "whole segment" },
        { "orders.>", false, "whole segment" },
        { "orders.cre*ated", false, "whole segment" },
        { "orders created", false, "character ' '" },
        { "orders/created", false, "character '/'" },
        { "$state.cart", false, "reserved" },
        { new string('a', 256), false, "at most 255" },
    };

    [Theory]
    [MemberData(nameof(Topics))]
    public void Topic_IsValidatedWithAReasonNamingTheField(string? topic, bool valid, string reason)
    {
        Assert.Equal(valid, Topic.IsValid(topic));
        if (valid) return;
        var ex = Assert.Throws<TaskValidationException>(() => Topic.Validate(topic, "events[3].topic"));
        Assert.Equal("events[3].topic", ex.Field);
        Assert.Contains(reason, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReservedTopics_AreValidForNexusOwnWriters() => Assert.True(Topic.IsValid("$state.cart", allowReserved: true));

    public static TheoryData<string, bool> Patterns => new()
    {
        { "orders.*", true },
        { "orders.>", true },
        { "*.*", true },
        { ">", true },
        { "$state.>", true },
        { "orders.>.created", false },
        { "orders.*x", false },
        { "orders.**", false },
        { "$>", false },
        { "$*.cart", false },
        { "", false },
        { "orders..*", false },
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Pattern_IsValidated(string pattern, bool valid)
    {
        Assert.Equal(valid, TopicPattern.IsValid(pattern));
        if (!valid) Assert.Equal("pattern", Assert.Throws<TaskValidationException>(() => TopicPattern.Parse(pattern)).Field);
    }

    [Theory]
    [InlineData("low", EventPriority.Low)]
    [InlineData("NORMAL", EventPriority.Normal)]
    [InlineData("high", EventPriority.High)]
    [InlineData("critical", EventPriority.Critical)]
    [InlineData(null, EventPriority.Normal)]
    public void Priority_ParsesItsNames(string? name, EventPriority priority)
    {
        Assert.Equal(priority, EventPriorities.Parse(name));
        Assert.Equal(priority, EventPriorities.Parse(priority.ToName()));
    }

    [Fact]
    public void Priority_Unknown_IsRefusedNamingTheField() =>
        Assert.Equal("events[0].priority", Assert.Throws<TaskValidationException>(() => EventPriorities.Parse("urgent", "events[0].priority")).Field);
}
