using Nexus.Workflows;

namespace Nexus.Core.Tests.Workflows;

public sealed class WorkflowValidatorTests
{
    private static TaskValidationException Invalid(string json, params string[] workflows) =>
        Assert.Throws<TaskValidationException>(() => WorkflowValidator.Validate(WorkflowJson.Parse(json), TestCatalog.Create(workflows)));

    [Fact]
    public void AValidDiamond_Passes()
    {
        WorkflowValidator.Validate(WorkflowJson.Parse("""
            {"name":"diamond","steps":[
              {"id":"a","plugin":"test.echo"},
              {"id":"b","plugin":"test.resize","args":{"width":"${input.w}"},"needs":["a"]},
              {"id":"c","plugin":"test.echo","args":{"text":"from ${steps.a.output}"},"needs":["a"]},
              {"id":"d","kind":"noop","args":{"all":["${steps.b.output}","${steps.c.output}"]},"needs":["b","c"]}]}
            """), TestCatalog.Create());
    }

    [Fact]
    public void ACycle_IsNamedWithItsSteps()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","kind":"noop","needs":["c"]},{"id":"b","kind":"noop","needs":["a"]},{"id":"c","kind":"noop","needs":["b"]}]}""");
        Assert.Equal("steps", ex.Field);
        Assert.Contains("cycle", ex.Problem, StringComparison.Ordinal);
        Assert.Contains("a → b → c → a", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ADuplicateId_IsNamedWithBothPlaces()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","kind":"noop"},{"id":"a","kind":"noop"}]}""");
        Assert.Equal(("steps[1].id", "duplicate id 'a' (also steps[0])"), (ex.Field, ex.Problem));
    }

    [Fact]
    public void AnUnknownNeed_IsNamed()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","kind":"noop","needs":["nope"]}]}""");
        Assert.Equal(("steps[0].needs[0]", "unknown step 'nope'"), (ex.Field, ex.Problem));
    }

    [Fact]
    public void ATemplateNamingAnUnknownStep_IsNamed()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","plugin":"test.echo","args":{"text":"${steps.ghost.output}"}}]}""");
        Assert.Equal("steps[0].args.text", ex.Field);
        Assert.Contains("unknown step 'ghost'", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATemplateNamingAStepThatIsNotUpstream_SaysToAddItToNeeds()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","kind":"noop"},{"id":"b","plugin":"test.echo","args":{"text":"${steps.a.output}"}}]}""");
        Assert.Contains("not upstream of 'b' (add it to needs)", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownPlugin_IsNamedWithTheKnownOnes()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","plugin":"test.nope"}]}""");
        Assert.Equal("steps[0].plugin", ex.Field);
        Assert.Contains("unknown plugin 'test.nope' (registered: test.echo, test.resize)", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StaticArgsFailingThePluginSchema_NameTheArg()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","plugin":"test.resize","args":{"width":0}}]}""");
        Assert.StartsWith("steps[0].args.width", ex.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void ACompensationWithAnUnknownPlugin_IsNamed()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","plugin":"test.echo","compensate":{"plugin":"undo.me"}}]}""");
        Assert.Equal("steps[0].compensate.plugin", ex.Field);
    }

    [Fact]
    public void ABadCondition_IsNamedInsideTheCondition()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","kind":"noop","if":{"input.x":{"$between":[1,2]}}}]}""");
        Assert.StartsWith("steps[0].if", ex.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void AMemberOfAnotherKind_IsRefused()
    {
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","kind":"noop","seconds":3}]}""");
        Assert.Equal(("steps[0].seconds", "does not apply to a noop step"), (ex.Field, ex.Problem));
    }

    [Fact]
    public void AnUnknownMember_IsNamedByItsPath()
    {
        var ex = Assert.Throws<TaskValidationException>(() => WorkflowJson.Parse("""{"name":"w","steps":[{"id":"a","kind":"noop","nedds":["b"]}]}"""));
        Assert.StartsWith("definition.steps[0]", ex.Field, StringComparison.Ordinal);
        Assert.Contains("nedds", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownChildWorkflow_IsNamed_AndAKnownOnePasses()
    {
        const string json = """{"name":"w","steps":[{"id":"a","kind":"workflow","workflow":"child"}]}""";
        Assert.Equal("steps[0].workflow", Invalid(json).Field);
        WorkflowValidator.Validate(WorkflowJson.Parse(json), TestCatalog.Create("child"));
    }

    [Fact]
    public void ForEach_NeedsOneTemplateNamingAnArray_AndItemIsOnlyInScopeThere()
    {
        Assert.Equal("steps[0].items", Invalid("""{"name":"w","steps":[{"id":"a","kind":"forEach","plugin":"test.echo","items":"x ${input.list}"}]}""").Field);
        var ex = Invalid("""{"name":"w","steps":[{"id":"a","plugin":"test.echo","args":{"text":"${item}"}}]}""");
        Assert.Contains("'item' is not in scope", ex.Problem, StringComparison.Ordinal);
    }
}
