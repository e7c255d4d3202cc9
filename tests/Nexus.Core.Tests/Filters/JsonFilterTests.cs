using Nexus.Filters;

namespace Nexus.Core.Tests.Filters;

/// <summary>The table of docs/filters.md: each row a filter, a document and whether it matches.</summary>
public sealed class JsonFilterTests
{
    private const string Doc = """
        {"priority":"high","size":15,"ratio":0.5,"big":12345678901234567890123,"ok":true,"none":null,
         "tags":["a","b"],"user":{"name":"ada","roles":[{"id":1},{"id":2}]},"empty":{}}
        """;

    [Theory]
    // implicit $eq, nested paths, array indexes
    [InlineData("""{}""", true)]
    [InlineData("""{"priority":"high"}""", true)]
    [InlineData("""{"priority":"low"}""", false)]
    [InlineData("""{"user.name":"ada"}""", true)]
    [InlineData("""{"user.roles.1.id":2}""", true)]
    [InlineData("""{"user.roles.2.id":2}""", false)]
    [InlineData("""{"size":15.0}""", true)]
    [InlineData("""{"size":"15"}""", false)]
    [InlineData("""{"ok":true}""", true)]
    [InlineData("""{"ok":false}""", false)]
    [InlineData("""{"none":null}""", true)]
    [InlineData("""{"missing":null}""", false)]
    [InlineData("""{"tags":"a"}""", true)]
    [InlineData("""{"tags":["a","b"]}""", true)]
    [InlineData("""{"tags":["b","a"]}""", false)]
    [InlineData("""{"user":{"name":"ada","roles":[{"id":1},{"id":2}]}}""", true)]
    [InlineData("""{"empty":{}}""", true)]
    [InlineData("""{"big":12345678901234567890123}""", true)]
    // $eq $ne
    [InlineData("""{"priority":{"$eq":"high"}}""", true)]
    [InlineData("""{"priority":{"$ne":"high"}}""", false)]
    [InlineData("""{"priority":{"$ne":"low"}}""", true)]
    [InlineData("""{"missing":{"$ne":"x"}}""", true)]
    // $gt $gte $lt $lte on numbers and strings; mixed kinds never order
    [InlineData("""{"size":{"$gt":10}}""", true)]
    [InlineData("""{"size":{"$gt":15}}""", false)]
    [InlineData("""{"size":{"$gte":15}}""", true)]
    [InlineData("""{"size":{"$lt":15}}""", false)]
    [InlineData("""{"size":{"$lte":15,"$gt":14.5}}""", true)]
    [InlineData("""{"ratio":{"$lt":0.6}}""", true)]
    [InlineData("""{"priority":{"$gt":"a"}}""", true)]
    [InlineData("""{"priority":{"$lt":"a"}}""", false)]
    [InlineData("""{"size":{"$gt":"1"}}""", false)]
    [InlineData("""{"missing":{"$lt":1}}""", false)]
    // $in $nin
    [InlineData("""{"priority":{"$in":["low","high"]}}""", true)]
    [InlineData("""{"priority":{"$in":["low"]}}""", false)]
    [InlineData("""{"tags":{"$in":["z","b"]}}""", true)]
    [InlineData("""{"priority":{"$nin":["low"]}}""", true)]
    [InlineData("""{"priority":{"$nin":["high"]}}""", false)]
    [InlineData("""{"missing":{"$nin":["x"]}}""", true)]
    // $exists
    [InlineData("""{"none":{"$exists":true}}""", true)]
    [InlineData("""{"missing":{"$exists":true}}""", false)]
    [InlineData("""{"missing":{"$exists":false}}""", true)]
    // $and $or $not, top level and field level
    [InlineData("""{"$and":[{"priority":"high"},{"size":{"$gt":1}}]}""", true)]
    [InlineData("""{"$and":[{"priority":"high"},{"size":{"$gt":100}}]}""", false)]
    [InlineData("""{"$or":[{"priority":"low"},{"size":15}]}""", true)]
    [InlineData("""{"$or":[{"priority":"low"},{"size":16}]}""", false)]
    [InlineData("""{"$not":{"priority":"low"}}""", true)]
    [InlineData("""{"$not":{"priority":"high"}}""", false)]
    [InlineData("""{"size":{"$not":{"$gt":20}}}""", true)]
    [InlineData("""{"size":{"$not":{"$gt":10}}}""", false)]
    [InlineData("""{"priority":"high","size":{"$gt":100}}""", false)]
    public void Table(string filter, bool matches) => Assert.Equal(matches, JsonFilter.Parse(filter).Matches(Doc));

    [Theory]
    [InlineData("""[]""", "filter: must be an object, not an array")]
    [InlineData("""{"$nor":[]}""", "filter.$nor: unknown operator '$nor' here")]
    [InlineData("""{"a":{"$regex":"x"}}""", "filter.a.$regex: unknown operator '$regex'")]
    [InlineData("""{"a":{"$gt":[1]}}""", "filter.a.$gt: compares numbers or strings, not an array")]
    [InlineData("""{"a":{"$in":1}}""", "filter.a.$in: must be an array of values, not a number")]
    [InlineData("""{"a":{"$exists":"yes"}}""", "filter.a.$exists: must be true or false, not a string")]
    [InlineData("""{"$and":[]}""", "filter.$and: must be a non-empty array of filters")]
    [InlineData("""{"$or":[{"a":1},3]}""", "filter.$or[1]: must be an object, not a number")]
    [InlineData("""{"a..b":1}""", "filter.a..b: a path must not have empty segments")]
    [InlineData("""{"a":{"$eq":1,"b":2}}""", "filter.a.b: mixes operators and plain keys")]
    [InlineData("""{"a":""", "filter: is not valid JSON")]
    public void BadFiltersNameWhatIsWrong(string filter, string message)
    {
        var ex = Assert.Throws<FilterException>(() => JsonFilter.Parse(filter));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal("invalid-filter", ex.Code);
    }

    [Fact]
    public void DeepNestingIsRefused()
    {
        var filter = string.Concat(Enumerable.Repeat("""{"$not":""", JsonFilter.MaxDepth + 1)) + "{}" + new string('}', JsonFilter.MaxDepth + 1);
        var ex = Assert.Throws<FilterException>(() => JsonFilter.Parse(filter));
        Assert.Contains("nests deeper", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyConditionsAreRefused()
    {
        var filter = "{" + string.Join(",", Enumerable.Range(0, JsonFilter.MaxNodes + 1).Select(i => $"\"k{i}\":1")) + "}";
        Assert.Throws<FilterException>(() => JsonFilter.Parse(filter));
    }

    [Fact]
    public void AParsedFilterOutlivesItsJsonDocument()
    {
        JsonFilter filter;
        using (var doc = System.Text.Json.JsonDocument.Parse("""{"tags":{"$in":["a"]},"size":{"$gt":1}}""")) filter = JsonFilter.Parse(doc.RootElement);
        Assert.True(filter.Matches(Doc));
        Assert.Equal("""{"tags":{"$in":["a"]},"size":{"$gt":1}}""", filter.Text);
    }
}
