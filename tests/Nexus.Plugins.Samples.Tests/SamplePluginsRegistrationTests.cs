using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nexus.Hosting;

namespace Nexus.Plugins.Samples.Tests;

/// <summary>The plugins as the engine sees them: registered by <c>AddSamplePlugins</c>, args checked against the
/// generated schema and DataAnnotations at submit.</summary>
public sealed class SamplePluginsRegistrationTests : IDisposable
{
    private readonly TempArtifacts _dir = new();
    private readonly ServiceProvider _services;

    public SamplePluginsRegistrationTests()
    {
        var services = new ServiceCollection();
        services.AddNexus(n => n
            .UseStore(_ => throw new InvalidOperationException("these tests never touch the store"))
            .AddSamplePlugins(o => o.ArtifactsRoot = _dir.Root));
        _services = services.BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _dir.Dispose();
    }

    private PluginRegistry Registry => _services.GetRequiredService<PluginRegistry>();

    /// <summary>The samples: every registered plugin but Nexus's own (the workflow engine's <c>workflow.timer</c>).</summary>
    private IEnumerable<PluginDescriptor> Samples => Registry.All.Where(p => !p.Name.StartsWith("workflow.", StringComparison.Ordinal));

    [Fact]
    public void AddSamplePlugins_RegistersAllSeven()
    {
        Assert.Equal(
            ["data.mapreduce", "files.zip", "image.generate", "images.pick-random", "pattern.draw", "text.generate", "text.wordcount"],
            Samples.Select(p => p.Name));
        Assert.All(Registry.All, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
    }

    [Fact]
    public void Schemas_CarryRangesEnumsAndDefaults()
    {
        var image = Registry.Get("image.generate").ArgsSchema;
        var props = image["properties"]!.AsObject();
        Assert.Equal(1, props["width"]!["minimum"]!.GetValue<double>());
        Assert.Equal(16384, props["width"]!["maximum"]!.GetValue<double>());
        Assert.Equal(512, props["width"]!["default"]!.GetValue<int>());
        Assert.Equal(["gradient", "circles", "squares", "stripes"], props["pattern"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["blue", "red", "green", "rainbow", "random"], props["colorScheme"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("filename", image["required"]!.AsArray().Select(v => v!.GetValue<string>()));

        var mapReduce = Registry.Get("data.mapreduce").ArgsSchema["properties"]!;
        Assert.Equal(["wordcount", "sum", "avg", "groupby"], mapReduce["operation"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(64, mapReduce["workers"]!["maximum"]!.GetValue<double>());

        var pattern = Registry.Get("pattern.draw").ArgsSchema["properties"]!;
        Assert.Equal(10, pattern["complexity"]!["maximum"]!.GetValue<double>());
        Assert.Equal(32, pattern["colors"]!["maxItems"]!.GetValue<int>());
        Assert.Contains("hexagons", pattern["patterns"]!.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(9, Registry.Get("files.zip").ArgsSchema["properties"]!["compressionLevel"]!["maximum"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("image.generate", """{"filename":"a.png","width":-5}""", "args.width")]
    [InlineData("image.generate", """{"filename":"a.png","pattern":"zigzag"}""", "args.pattern")]
    [InlineData("image.generate", """{"filename":"a.png","colorScheme":"purple"}""", "args.colorScheme")]
    [InlineData("image.generate", """{"filename":"a.png","height":20000}""", "args.height")]
    [InlineData("pattern.draw", """{"filename":"a.png","complexity":11}""", "args.complexity")]
    [InlineData("pattern.draw", """{"filename":"a.png","patterns":["spiral","moire"]}""", "args.patterns[1]")]
    [InlineData("pattern.draw", """{"filename":"a.png","colors":[]}""", "args.colors")]
    [InlineData("pattern.draw", """{"filename":"a.png","colors":["#fff","teal"]}""", "args.colors")]
    [InlineData("text.generate", """{"filename":"a.txt","lineWidth":5}""", "args.lineWidth")]
    [InlineData("text.wordcount", """{"inputFile":"a.txt","top":0}""", "args.top")]
    [InlineData("data.mapreduce", """{"inputFile":"a.json","outputFile":"b.json","workers":65}""", "args.workers")]
    [InlineData("data.mapreduce", """{"inputFile":"a.json","outputFile":"b.json","operation":"median"}""", "args.operation")]
    [InlineData("images.pick-random", """{"sourceDir":"a","copyTo":"b","count":0}""", "args.count")]
    [InlineData("files.zip", """{"sourcePaths":["a"],"outputFile":"b.zip","compressionLevel":10}""", "args.compressionLevel")]
    [InlineData("files.zip", """{"sourcePaths":[],"outputFile":"b.zip"}""", "args.sourcePaths")]
    public void BadArgs_AreRefusedAtSubmit_NamingTheField(string plugin, string argsJson, string field)
    {
        var ex = Assert.Throws<TaskValidationException>(() => Registry.ValidateArgs(plugin, argsJson));

        Assert.StartsWith(field, ex.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void BadColour_IsRefusedAtSubmit_NamingTheEntry()
    {
        var ex = Assert.Throws<TaskValidationException>(() => Registry.ValidateArgs("pattern.draw", """{"filename":"a.png","colors":["#fff","teal"]}"""));

        Assert.Equal("args.colors", ex.Field);
        Assert.Contains("[1] 'teal' is not a colour", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image.generate", """{"width":10}""")]
    [InlineData("text.wordcount", """{"inputFile":"a.txt","colour":"red"}""")]
    public void MissingOrUnknownMembers_AreRefused(string plugin, string argsJson) =>
        Assert.Throws<TaskValidationException>(() => Registry.ValidateArgs(plugin, argsJson));

    [Theory]
    [InlineData("image.generate", """{"filename":"a.png","width":64,"height":32,"pattern":"stripes","colorScheme":"rainbow","seed":7}""")]
    [InlineData("pattern.draw", """{"filename":"p.png","patterns":["checkerboard","spiral"],"colors":["#ff8800","#123"],"complexity":3}""")]
    [InlineData("text.generate", """{"filename":"t.txt","words":100,"lineWidth":40}""")]
    [InlineData("text.wordcount", """{"inputFile":"t.txt"}""")]
    [InlineData("data.mapreduce", """{"inputFile":"d.json","outputFile":"r.json","operation":"groupby","key":"k","field":"v","workers":8}""")]
    [InlineData("images.pick-random", """{"sourceDir":"imgs","copyTo":"picked","count":3,"extensions":["png"],"seed":1}""")]
    [InlineData("files.zip", """{"sourcePaths":["a","b/c.txt"],"outputFile":"out.zip","compressionLevel":0}""")]
    public void WellFormedArgs_AreAccepted(string plugin, string argsJson) =>
        Assert.Null(Record.Exception(() => Registry.ValidateArgs(plugin, argsJson)));

    [Fact]
    public void TheExamplesInDocsPluginsMd_AreValidArgs_OnePerPlugin()
    {
        var docs = FindRepoFile("docs/plugins.md");
        var examples = PluginExamples(File.ReadAllText(docs));

        Assert.Equal(Samples.Select(p => p.Name), examples.Keys.Order(StringComparer.Ordinal));
        foreach (var (plugin, json) in examples)
        {
            Assert.True(Record.Exception(() => Registry.ValidateArgs(plugin, json)) is null, $"the example of {plugin} in docs/plugins.md is not valid: {json}");
        }
    }

    /// <summary>The first ```json block under each "## plugin.name" heading.</summary>
    private static Dictionary<string, string> PluginExamples(string markdown)
    {
        var examples = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in markdown.Split("\n## ").Skip(1))
        {
            var name = section[..section.IndexOf('\n', StringComparison.Ordinal)].Trim();
            var start = section.IndexOf("```json\n", StringComparison.Ordinal);
            if (!name.Contains('.', StringComparison.Ordinal) || start < 0) continue;
            start += "```json\n".Length;
            examples[name] = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        }
        return examples;
    }

    private static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Options_RootIsResolvedToAFullPath_AndPluginsGetThem()
    {
        var services = new ServiceCollection();
        services.AddNexus(n => n.UseStore(_ => throw new InvalidOperationException()).AddSamplePlugins());
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SamplePluginsOptions>>().Value;
        Assert.Equal(Path.GetFullPath("./generated"), options.ArtifactsRoot);
        Assert.Equal(64L * 1024 * 1024, options.MaxImagePixels);
        Assert.Equal(_dir.Root, _services.GetRequiredService<IOptions<SamplePluginsOptions>>().Value.ArtifactsRoot);
    }

    [Fact]
    public async Task PluginFromTheContainer_WritesUnderTheConfiguredRoot()
    {
        var plugin = ActivatorUtilities.CreateInstance<TextGeneratePlugin>(_services);

        var result = await plugin.ExecuteAsync(new TextGenerateArgs("from-di.txt", 20, Seed: 1), _dir.Context("text.generate"));

        Assert.True(File.Exists(_dir.At("from-di.txt")));
        Assert.Equal("from-di.txt", result.Path);
    }

    [Fact]
    public void InvalidOptions_AreReportedNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddNexus(n => n.UseStore(_ => throw new InvalidOperationException()).AddSamplePlugins(o => o.MaxImagePixels = 0));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SamplePluginsOptions>>().Value);

        Assert.Contains("SamplePlugins:MaxImagePixels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultTypes_SerializeCamelCase_LeavingOutWhatDoesNotApply()
    {
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            new MapReduceResult { Operation = MapReduceOperation.Sum, InputFile = "a", OutputFile = "b", InputKind = "json", Records = 1, Chunks = 1, Workers = 1, Sum = 2, Count = 1 },
            NexusJson.Options))!.AsObject();

        Assert.Equal("sum", json["operation"]!.GetValue<string>());
        Assert.False(json.ContainsKey("words"));
        Assert.False(json.ContainsKey("groups"));
        Assert.Equal(2, json["sum"]!.GetValue<double>());
    }
}
