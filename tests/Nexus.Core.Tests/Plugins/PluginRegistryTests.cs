using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Nexus.Plugins;

namespace Nexus.Core.Tests.Plugins;

public sealed class PluginRegistryTests
{
    public enum Shape { Circle, Square }

    public sealed record DrawArgs(
        [property: Range(1, 4096), Description("Width in pixels")] int Width,
        Shape Shape,
        string? Label = null,
        [property: MaxLength(3)] IReadOnlyList<string>? Colors = null);

    [TaskPlugin("test.draw", Description = "Draws.", Version = "3.2.1", Queue = "gfx", MaxAttempts = 4, TimeoutSeconds = 90)]
    public sealed class DrawPlugin : ITaskPlugin<DrawArgs, string>
    {
        public ValueTask<string> ExecuteAsync(DrawArgs args, TaskContext context) => ValueTask.FromResult("ok");
    }

    public sealed class Unnamed : ITaskPlugin<DrawArgs, string>
    {
        public ValueTask<string> ExecuteAsync(DrawArgs args, TaskContext context) => ValueTask.FromResult("");
    }

    [TaskPlugin("Bad Name!")]
    public sealed class BadlyNamed : ITaskPlugin<DrawArgs, string>
    {
        public ValueTask<string> ExecuteAsync(DrawArgs args, TaskContext context) => ValueTask.FromResult("");
    }

    [Fact]
    public void Describe_TakesMetadataFromTheAttribute()
    {
        var registry = new PluginRegistry();
        var d = registry.Add(typeof(DrawPlugin), null, "builtin");

        Assert.Equal(("test.draw", "Draws.", "3.2.1", "gfx", 4, TimeSpan.FromSeconds(90)), (d.Name, d.Description, d.Version, d.Queue, d.MaxAttempts, d.Timeout));
        Assert.Same(d, registry.Get("test.draw"));
    }

    [Fact]
    public void Schema_IsGeneratedFromTheArgsType_WithLimitsAndDescriptions()
    {
        var schema = PluginRegistry.Describe(typeof(DrawPlugin), null, "builtin").ArgsSchema;

        var props = schema["properties"]!.AsObject();
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal(["width", "shape", "label", "colors"], props.Select(p => p.Key));
        Assert.Equal(["width", "shape"], schema["required"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(1, props["width"]!["minimum"]!.GetValue<double>());
        Assert.Equal(4096, props["width"]!["maximum"]!.GetValue<double>());
        Assert.Equal("Width in pixels", props["width"]!["description"]!.GetValue<string>());
        Assert.Equal(["circle", "square"], props["shape"]!["enum"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(3, props["colors"]!["maxItems"]!.GetValue<int>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"width":10,"shape":"circle"}""", null)]
    [InlineData("""{"width":0,"shape":"circle"}""", "args.width")]
    [InlineData("""{"width":"wide","shape":"circle"}""", "args.width")]
    [InlineData("""{"shape":"circle"}""", "args.width")]
    [InlineData("""{"width":10,"shape":"hexagon"}""", "args.shape")]
    [InlineData("""{"width":10,"shape":"circle","colors":["a","b","c","d"]}""", "args.colors")]
    [InlineData("""{"width":10,"shape":"circle","label":null,"extra":1}""", "args.extra")]
    [InlineData("""{"width":10,"shape":"circle""", "args")]
    [InlineData("""42""", "args")]
    public void ValidateArgs_AcceptsGoodArgs_AndNamesTheFieldOfBadOnes(string json, string? field)
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(DrawPlugin), null, "builtin");

        var ex = Record.Exception(() => registry.ValidateArgs("test.draw", json));

        if (field is null)
        {
            Assert.Null(ex);
        }
        else
        {
            var validation = Assert.IsType<TaskValidationException>(ex);
            Assert.Equal(field, validation.Field);
            Assert.StartsWith(field + ":", validation.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MissingRequiredMember_IsNamedInTheMessage()
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(DrawPlugin), null, "builtin");

        var ex = Assert.Throws<TaskValidationException>(() => registry.ValidateArgs("test.draw", """{"shape":"circle"}"""));

        Assert.Contains("width", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"width":10,"shape":"circle""")]
    [InlineData("""{"width":10,,}""")]
    public void MalformedJson_IsCalledThat(string json)
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(DrawPlugin), null, "builtin");

        var ex = Assert.Throws<TaskValidationException>(() => registry.ValidateArgs("test.draw", json));

        Assert.Equal("args", ex.Field);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"width":10,"shape":"hexagon"}""", "args.shape", "must be one of circle, square")]
    [InlineData("""{"width":"wide","shape":"circle"}""", "args.width", "must be a whole number")]
    [InlineData("""{"shape":"circle"}""", "args.width", "is required")]
    [InlineData("""{"width":1,"shape":"circle","colors":[1]}""", "args.colors[0]", "must be a string")]
    [InlineData("""{"width":1,"shape":"circle","colors":"red"}""", "args.colors", "must be an array of strings")]
    [InlineData("""{"width":1,"shape":"circle","extra":true}""", "args.extra", "is not a known argument (known: width, shape, label, colors)")]
    public void Errors_SayWhatTheFieldMustBe_InJsonTerms(string json, string field, string problem)
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(DrawPlugin), null, "builtin");

        var ex = Assert.Throws<TaskValidationException>(() => registry.ValidateArgs("test.draw", json));

        Assert.Equal(field, ex.Field);
        Assert.Equal(problem, ex.Problem);
        Assert.DoesNotContain("Nexus.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_RejectsDuplicatesUnnamedAndBadNames()
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(DrawPlugin), null, "builtin");

        Assert.Contains("test.draw", Assert.Throws<InvalidOperationException>(() => registry.Add(typeof(DrawPlugin), null, "folder")).Message, StringComparison.Ordinal);
        Assert.Contains("[TaskPlugin", Assert.Throws<ArgumentException>(() => registry.Add(typeof(Unnamed), null, "x")).Message, StringComparison.Ordinal);
        Assert.Contains("Bad Name!", Assert.Throws<ArgumentException>(() => registry.Add(typeof(BadlyNamed), null, "x")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownPlugin_ListsTheKnownOnes()
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(DrawPlugin), null, "builtin");

        var ex = Assert.Throws<UnknownPluginException>(() => registry.Get("test.paint"));

        Assert.Equal("unknown-plugin", ex.Code);
        Assert.Contains("'test.paint'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("test.draw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OverrideTheAttributeDefaults()
    {
        var retry = new Nexus.Tasks.RetryPolicy { InitialDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(2) };
        var d = PluginRegistry.Describe(typeof(DrawPlugin), new PluginOptions { Queue = "other", MaxAttempts = 9, Timeout = TimeSpan.FromSeconds(5), Retry = retry }, "builtin");

        Assert.Equal(("other", 9, TimeSpan.FromSeconds(5), retry), (d.Queue, d.MaxAttempts, d.Timeout, d.Retry));
        Assert.Throws<TaskValidationException>(() => PluginRegistry.Describe(typeof(DrawPlugin), new PluginOptions { Queue = "no spaces" }, "builtin"));
    }

    [Fact]
    public void Schema_IsValidJson() => Assert.NotNull(JsonNode.Parse(PluginRegistry.Describe(typeof(DrawPlugin), null, "b").ArgsSchema.ToJsonString()));
}
