using System.Text.Json;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Workflows;

namespace Nexus.Core.Tests.Workflows;

/// <summary>Golden fixtures: a definition and a run stored mid-flight by this version. A change to the format, the
/// records or the planner that would break stored definitions or running runs fails here.</summary>
public sealed class GoldenFixtureTests
{
    private static readonly JsonSerializerOptions RowJson = new(NexusJson.Options);

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflows", "Fixtures", name)).Trim();

    [Fact]
    public void AStoredDefinition_ParsesAndSerializesToTheSameBytes_AndStillValidates()
    {
        var stored = Fixture("diamond.definition.json");
        var definition = WorkflowJson.Parse(stored);

        Assert.Equal(stored, WorkflowJson.Serialize(definition));
        Assert.Equal(StepKind.ForEach, definition.Steps[2].Kind);
        WorkflowValidator.Validate(definition, TestCatalog.Create());
    }

    [Fact]
    public void ThePipelineDemo_IsValid_AndItsCanonicalFormIsStable()
    {
        var demo = File.ReadAllText(Path.Combine(RepoRoot(), "examples", "pipeline", "pipeline.workflow.json"));
        var canonical = WorkflowJson.Serialize(WorkflowJson.Parse(demo));
        Assert.Equal(canonical, WorkflowJson.Serialize(WorkflowJson.Parse(canonical)));
        Assert.Equal(["plan", "images", "patterns", "text", "wordcount", "pick", "zip"], WorkflowJson.Parse(canonical).Steps.Select(s => s.Id));
    }

    [Fact]
    public async Task AStoredRunningRun_GoesOn_TheLastItemJoinsItsForEach_AndTheJoinReleasesOnce()
    {
        using var doc = JsonDocument.Parse(Fixture("diamond.run.json"));
        var definitionJson = Fixture("diamond.definition.json");
        var run = JsonSerializer.Deserialize<WorkflowRun>(doc.RootElement.GetProperty("run").GetRawText(), RowJson)! with { DefinitionJson = definitionJson };
        var steps = JsonSerializer.Deserialize<List<StepRun>>(doc.RootElement.GetProperty("steps").GetRawText(), RowJson)!;
        var items = JsonSerializer.Deserialize<List<StepRun>>(doc.RootElement.GetProperty("items").GetRawText(), RowJson)!;
        var planned = new List<PlannedTask>();
        NewTask Prepare(PlannedTask t)
        {
            planned.Add(t);
            return new NewTask { Plugin = t.Plugin, ArgsJson = t.ArgsJson, Queue = "default", MaxAttempts = t.MaxAttempts ?? 3, Owner = t.Owner.ToString() };
        }
        var c = new RunContext(run, WorkflowJson.Parse(definitionJson), steps, run.UpdatedAt.AddSeconds(1), _ => Task.FromResult<IReadOnlyList<StepRun>>(items), Prepare);

        await RunPlanner.ApplyAsync(c, new StepTaskChanged(42, new StepTaskOwner(42, "c", 1, StepTaskRole.Main), 103, TaskState.Succeeded, 2, "\"c-1\"", null));
        Assert.Empty(planned);
        Assert.Equal(("""["c-0","c-1"]""", StepState.Succeeded, 3L), (c.Steps["c"].OutputJson, c.Steps["c"].State, c.Steps["c"].CompletedSeq));

        await RunPlanner.ApplyAsync(c, new StepTaskChanged(42, StepTaskOwner.TryParse("workflow:42/b")!, 101, TaskState.Succeeded, 1, "\"b-hi\"", null));
        var d = Assert.Single(planned);
        Assert.Equal(("workflow:42/d", "test.echo", "b-hi+c-1", 2, TimeSpan.FromSeconds(30)),
            (d.Owner.ToString(), d.Plugin, JsonDocument.Parse(d.ArgsJson).RootElement.GetProperty("text").GetString(), d.MaxAttempts, d.Timeout));
        Assert.Equal(StepState.Running, c.Steps["d"].State);

        // The same completion heard again (a replayed hook) changes nothing.
        await RunPlanner.ApplyAsync(c, new StepTaskChanged(42, StepTaskOwner.TryParse("workflow:42/b")!, 101, TaskState.Succeeded, 1, "\"b-hi\"", null));
        Assert.Single(planned);
    }

    [Fact]
    public async Task AStoredRun_WhoseStepFails_CompensatesWhatCompleted()
    {
        using var doc = JsonDocument.Parse(Fixture("diamond.run.json"));
        var definitionJson = Fixture("diamond.definition.json");
        var run = JsonSerializer.Deserialize<WorkflowRun>(doc.RootElement.GetProperty("run").GetRawText(), RowJson)! with { DefinitionJson = definitionJson };
        var steps = JsonSerializer.Deserialize<List<StepRun>>(doc.RootElement.GetProperty("steps").GetRawText(), RowJson)!;
        var items = JsonSerializer.Deserialize<List<StepRun>>(doc.RootElement.GetProperty("items").GetRawText(), RowJson)!;
        var planned = new List<PlannedTask>();
        var c = new RunContext(run, WorkflowJson.Parse(definitionJson), steps, run.UpdatedAt, _ => Task.FromResult<IReadOnlyList<StepRun>>(items),
            t => { planned.Add(t); return new NewTask { Plugin = t.Plugin, ArgsJson = t.ArgsJson, Queue = "default", MaxAttempts = 3 }; });

        await RunPlanner.ApplyAsync(c, new StepTaskChanged(42, StepTaskOwner.TryParse("workflow:42/b")!, 101, TaskState.Succeeded, 1, "\"b-hi\"", null));
        await RunPlanner.ApplyAsync(c, new StepTaskChanged(42, StepTaskOwner.TryParse("workflow:42/c#1")!, 103, TaskState.Dead, 2, null, "Boom: disk full"));

        Assert.Equal(RunState.Compensating, c.Run.State);
        Assert.Empty(c.CancelTasks); // the dead item was the only task still running
        var undo = Assert.Single(planned);
        Assert.Equal(("workflow:42/b!compensate", """{"text":"undo b-hi"}"""), (undo.Owner.ToString(), undo.ArgsJson));
        Assert.Contains("item 1: Boom: disk full", c.Run.Error, StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nexus.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
