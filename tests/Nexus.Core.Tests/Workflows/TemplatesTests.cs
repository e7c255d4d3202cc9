using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Workflows;

namespace Nexus.Core.Tests.Workflows;

public sealed class TemplatesTests
{
    private static readonly JsonObject Scope = JsonNode.Parse("""
        {"input":{"w":64,"name":"cat"},"steps":{"list":{"output":{"files":["a.png","b.png"],"n":2}}},"item":"a.png","index":0}
        """)!.AsObject();

    private static string Resolve(string json) => Templates.Resolve(JsonDocument.Parse(json).RootElement, Scope)!.ToJsonString();

    [Fact]
    public void ALoneTemplate_KeepsTheValuesType()
    {
        Assert.Equal("""{"w":64,"files":["a.png","b.png"],"first":"a.png"}""",
            Resolve("""{"w":"${input.w}","files":"${steps.list.output.files}","first":"${steps.list.output.files.0}"}"""));
    }

    [Fact]
    public void TemplatesInsideText_AreReplacedByTheirText()
    {
        Assert.Equal("""{"s":"cat-64-2 files, item a.png at 0"}""", Resolve("""{"s":"${input.name}-${input.w}-${steps.list.output.n} files, item ${item} at ${index}"}"""));
    }

    [Fact]
    public void AMissingMember_IsNamedWhereThePathStopped()
    {
        var ex = Assert.Throws<TemplateException>(() => Resolve("""{"x":"${steps.list.output.size}"}"""));
        Assert.Equal("${steps.list.output.size}: steps.list.output has no 'size'", ex.Message);
    }
}
