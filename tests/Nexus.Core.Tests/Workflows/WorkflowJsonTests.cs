using System.Text.Json;
using Nexus.Workflows;

namespace Nexus.Core.Tests.Workflows;

public sealed class WorkflowJsonTests
{
    [Fact]
    public void TheBuilder_ProducesTheSameJsonAsTheHandWrittenFormat()
    {
        const string handWritten = """
            {"name":"thumbs","description":"Resize a folder","steps":[
              {"id":"list","plugin":"test.echo","args":{"text":"${input.folder}"}},
              {"id":"resize","kind":"forEach","plugin":"test.resize","args":{"width":64,"path":"${item}"},"needs":["list"],"items":"${steps.list.output}","maxParallel":8},
              {"id":"wait","kind":"waitForEvent","needs":["resize"],"timeoutSeconds":60,"signal":"approve"},
              {"id":"nap","kind":"sleep","needs":["wait"],"seconds":5},
              {"id":"done","kind":"noop","needs":["nap"],"if":{"steps.wait.output.ok":true},"compensate":{"plugin":"test.echo","args":{"text":"undo"}}}]}
            """;
        var built = new WorkflowBuilder("thumbs").Describe("Resize a folder")
            .Task("list", "test.echo", new { text = "${input.folder}" })
            .ForEach("resize", "${steps.list.output}", "test.resize", new { width = 64, path = "${item}" }, s => s.Needs("list").MaxParallel(8))
            .WaitForSignal("wait", "approve", TimeSpan.FromMinutes(1), configure: s => s.Needs("resize"))
            .Sleep("nap", TimeSpan.FromSeconds(5), s => s.Needs("wait"))
            .Noop("done", configure: s => s.Needs("nap").If(new Dictionary<string, object> { ["steps.wait.output.ok"] = true }).Compensate("test.echo", new { text = "undo" }))
            .ToJson();

        Assert.Equal(WorkflowJson.Serialize(WorkflowJson.Parse(handWritten)), built);
        WorkflowValidator.Validate(WorkflowJson.Parse(built), TestCatalog.Create());
    }

    [Fact]
    public void ParseThenSerialize_IsStable_AndTheHashFollowsTheContent()
    {
        var a = WorkflowJson.Serialize(WorkflowJson.Parse("""{ "name": "w", "steps": [ { "id": "a", "kind": "noop" } ] }"""));
        var b = WorkflowJson.Serialize(WorkflowJson.Parse(a));
        Assert.Equal("""{"name":"w","steps":[{"id":"a","kind":"noop"}]}""", a);
        Assert.Equal(WorkflowJson.Hash(a), WorkflowJson.Hash(b));
        Assert.NotEqual(WorkflowJson.Hash(a), WorkflowJson.Hash(a.Replace("\"a\"", "\"b\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void ThePublishedSchema_IsValidJson_AndTheDocsCopyIsTheSame()
    {
        using var schema = JsonDocument.Parse(WorkflowSchema.Json);
        Assert.Equal("Nexus workflow definition", schema.RootElement.GetProperty("title").GetString());
        var kinds = schema.RootElement.GetProperty("$defs").GetProperty("step").GetProperty("properties").GetProperty("kind").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(Enum.GetValues<StepKind>().Select(k => k.ToName()), kinds);
        var docs = Path.Combine(RepoRoot(), "docs", "workflow.schema.json");
        Assert.Equal(WorkflowSchema.Json.ReplaceLineEndings(), File.ReadAllText(docs).ReplaceLineEndings());
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nexus.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
