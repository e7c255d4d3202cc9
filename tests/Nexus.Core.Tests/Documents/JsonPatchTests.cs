using Nexus.Documents;

namespace Nexus.Core.Tests.Documents;

/// <summary>The operation table of RFC 6902 (including its appendix A examples that matter) and the failures, each
/// naming the operation; a failing patch changes nothing.</summary>
public sealed class JsonPatchTests
{
    [Theory]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/baz","value":"qux"}]""", """{"foo":"bar","baz":"qux"}""")]
    [InlineData("""{"foo":["bar","baz"]}""", """[{"op":"add","path":"/foo/1","value":"qux"}]""", """{"foo":["bar","qux","baz"]}""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/-","value":["abc","def"]}]""", """{"foo":["bar",["abc","def"]]}""")]
    [InlineData("""{"foo":["bar"]}""", """[{"op":"add","path":"/foo/1","value":1}]""", """{"foo":["bar",1]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"remove","path":"/baz"}]""", """{"foo":"bar"}""")]
    [InlineData("""{"foo":["bar","qux","baz"]}""", """[{"op":"remove","path":"/foo/1"}]""", """{"foo":["bar","baz"]}""")]
    [InlineData("""{"baz":"qux","foo":"bar"}""", """[{"op":"replace","path":"/baz","value":"boo"}]""", """{"foo":"bar","baz":"boo"}""")]
    [InlineData("""{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}""", """[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]""", """{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}""")]
    [InlineData("""{"foo":["all","grass","cows","eat"]}""", """[{"op":"move","from":"/foo/1","path":"/foo/3"}]""", """{"foo":["all","cows","eat","grass"]}""")]
    [InlineData("""{"a":1,"b":{}}""", """[{"op":"copy","from":"/a","path":"/b/c"}]""", """{"a":1,"b":{"c":1}}""")]
    [InlineData("""{"baz":"qux","foo":["a",2,"c"]}""", """[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]""", """{"baz":"qux","foo":["a",2,"c"]}""")]
    [InlineData("""{"/":9,"~1":10}""", """[{"op":"test","path":"/~01","value":10},{"op":"replace","path":"/~1","value":8}]""", """{"/":8,"~1":10}""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"add","path":"/child","value":{"grandchild":{}}}]""", """{"foo":"bar","child":{"grandchild":{}}}""")]
    [InlineData("""{"foo":"bar"}""", """[{"op":"replace","path":"","value":[1]}]""", """[1]""")]
    [InlineData("""{"a":{"b":[1,{"c":2}]}}""", """[{"op":"test","path":"/a","value":{"b":[1,{"c":2}]}}]""", """{"a":{"b":[1,{"c":2}]}}""")]
    public void Table(string document, string patch, string expected)
    {
        var actual = JsonPatch.Apply(document, patch);
        // Objects compare without regard to key order, as JSON defines them.
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(expected), System.Text.Json.Nodes.JsonNode.Parse(actual)), $"expected {expected}, got {actual}");
    }

    [Theory]
    [InlineData("""{"baz":"qux"}""", """[{"op":"test","path":"/baz","value":"bar"}]""", "patch[0]: test failed at '/baz'", "patch-failed")]
    [InlineData("""{"a":1}""", """[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":"1"}]""", "patch[1]: test failed", "patch-failed")]
    [InlineData("""{"a":1}""", """[{"op":"remove","path":"/b"}]""", "patch[0]: '/b' does not exist", "patch-failed")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/5","value":2}]""", "patch[0]: '/a/5': '5' is not an index", "patch-failed")]
    [InlineData("""{"a":[1]}""", """[{"op":"add","path":"/a/01","value":2}]""", "patch[0]:", "patch-failed")]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"move","from":"/a","path":"/a/b/c"}]""", "patch[0]: cannot move '/a' into its own child", "patch-failed")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"/x","value":2}]""", "patch[0]: '/x' does not exist", "patch-failed")]
    [InlineData("""{"a":1}""", """[{"op":"frobnicate","path":"/a"}]""", "patch[0]: unknown op 'frobnicate'", "invalid-patch")]
    [InlineData("""{"a":1}""", """[{"op":"add","path":"/a"}]""", "patch[0]: 'add' needs a 'value'", "invalid-patch")]
    [InlineData("""{"a":1}""", """[{"op":"add","path":"a","value":1}]""", "patch[0]: 'path' must be empty or start with '/'", "invalid-patch")]
    [InlineData("""{"a":1}""", """{"op":"add"}""", "patch: a patch is a JSON array", "invalid-patch")]
    public void Failures_NameTheOperation(string document, string patch, string message, string code)
    {
        var ex = Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(document, patch));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void AFailingPatch_LeavesTheDocumentAsItWas()
    {
        const string document = """{"a":1,"list":[1,2]}""";
        Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(document, """[{"op":"remove","path":"/list/0"},{"op":"test","path":"/a","value":2}]"""));
        // Apply works on its own parse of the text: the caller's document is untouched by construction, and applying a
        // good patch afterwards starts from the original.
        Assert.Equal("""{"a":1,"list":[2]}""", JsonPatch.Apply(document, """[{"op":"remove","path":"/list/0"}]"""));
    }
}
