using Nexus.Events;
using Nexus.State;

namespace Nexus.Core.Tests.State;

public sealed class ChangeTopicsTests
{
    [Theory]
    [InlineData("carts/42", "$state.carts.42")]
    [InlineData("users/42/profile", "$state.users.42.profile")]
    [InlineData("a.b", "$state.a-2Eb")]
    [InlineData("x-y:z", "$state.x-2Dy-3Az")]
    [InlineData("/lead//trail/", "$state.-.lead.-.trail.-")]
    [InlineData("é", "$state.-C3-A9")]
    public void AStateKey_IsATopicWhosePatternsSelectItsPrefixes(string key, string topic)
    {
        Assert.Equal(topic, ChangeTopics.State(key));
        Assert.True(Topic.IsValid(topic, allowReserved: true), topic);
    }

    [Fact]
    public void Patterns_SelectAModel_ADocument_AndAKeyPrefix()
    {
        var doc = ChangeTopics.Document("shop", "orders", "o-1");
        Assert.Equal("$docs.shop.orders.o-2D1", doc);
        Assert.True(TopicPattern.Parse("$docs.shop.orders.*").Matches(doc));
        Assert.True(TopicPattern.Parse("$docs.shop.orders.o-2D1").Matches(doc));
        Assert.False(TopicPattern.Parse("$docs.shop.users.*").Matches(doc));
        Assert.Equal("$state.carts.>", ChangeTopics.StatePrefixPattern("carts/"));
        Assert.True(TopicPattern.Parse(ChangeTopics.StatePrefixPattern("carts/")!).Matches(ChangeTopics.State("carts/42")));
        Assert.False(TopicPattern.Parse(ChangeTopics.StatePrefixPattern("carts/")!).Matches(ChangeTopics.State("cartsx/42")));
        Assert.Null(ChangeTopics.StatePrefixPattern("car"));
    }

    [Fact]
    public void ALongKey_KeepsTheSegmentsThatFit_AndSaysItWasCut()
    {
        var key = string.Join('/', Enumerable.Repeat("segment-of-text", 40));
        var topic = ChangeTopics.State(key);
        Assert.True(topic.Length <= Topic.MaxLength);
        Assert.EndsWith(".--", topic, StringComparison.Ordinal);
        Assert.True(Topic.IsValid(topic, allowReserved: true));
    }
}
