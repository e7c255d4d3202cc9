using System.Text.Json.Nodes;
using Nexus.Documents;

namespace Nexus.Core.Tests.Documents;

/// <summary>The slim patch between two versions: applied to the first it gives the second, and it names only what changed.</summary>
public sealed class JsonDiffTests
{
    [Theory]
    [InlineData("""{"a":1}""", """{"a":1}""", "[]")]
    [InlineData("""{"a":1}""", """{"a":2}""", """[{"op":"replace","path":"/a","value":2}]""")]
    [InlineData("""{"a":1,"b":2}""", """{"b":2}""", """[{"op":"remove","path":"/a"}]""")]
    [InlineData("""{"a":{"x":1,"y":[1]}}""", """{"a":{"x":1,"y":[1,2],"z~":null}}""", """[{"op":"replace","path":"/a/y","value":[1,2]},{"op":"add","path":"/a/z~0","value":null}]""")]
    [InlineData("""{"a":{"x":1}}""", """{"a":[1]}""", """[{"op":"replace","path":"/a","value":[1]}]""")]
    public void TheDiff_NamesWhatChanged_AndAppliesBack(string before, string after, string expected)
    {
        var patch = JsonDiff.Diff(before, after);

        Assert.Equal(expected, patch);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(after), JsonNode.Parse(JsonPatch.Apply(before, patch))));
    }
}
