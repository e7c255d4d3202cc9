using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Hosting;
using Nexus.Tasks;
using SkiaSharp;
using Nexus.Testing;

namespace Nexus.Plugins.Samples.Tests;

/// <summary>The sample plugins run by the real engine on an SQLite file: results stored as JSON, bad input dead at
/// once with the plugin's message, bad args refused at submit.</summary>
public sealed class SamplePluginsEngineTests : IAsyncLifetime
{
    private readonly TempArtifacts _dir = new();
    private IHost _host = null!;
    private INexusTasks _tasks = null!;

    public async Task InitializeAsync()
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Services.AddNexus(n => n
            .UseSqlite($"Data Source={Path.Combine(_dir.Parent, "nexus.db")}")
            .AddSamplePlugins(o =>
            {
                o.ArtifactsRoot = _dir.Root;
                o.MaxImagePixels = 10_000;
            })
            .Configure(o =>
            {
                o.NodeId = "samples-test";
                o.Concurrency = 2;
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.DefaultMaxAttempts = 3;
            }));
        _host = builder.Build();
        await _host.StartAsync();
        _tasks = _host.Services.GetRequiredService<INexusTasks>();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _dir.Dispose();
    }

    private async Task<TaskRecord> RunAsync<TArgs>(string plugin, TArgs args)
    {
        var submitted = await _tasks.SubmitAsync(plugin, args);
        return await WaitAsync(submitted.Id);
    }

    [Fact]
    public async Task ImageGenerate_Succeeds_WithItsResultStored()
    {
        var task = await RunAsync("image.generate", new ImageGenerateArgs("engine/gradient.png", 32, 16, Seed: 3));

        Assert.Equal(TaskState.Succeeded, task.State);
        var result = JsonSerializer.Deserialize<ImageGenerateResult>(task.ResultJson!, NexusJson.Options)!;
        Assert.Equal(new ImageGenerateResult("engine/gradient.png", 32, 16, new FileInfo(_dir.At("engine/gradient.png")).Length, 3), result);
        using var png = SKBitmap.Decode(_dir.At("engine/gradient.png"));
        Assert.Equal(new SKColor(0x0A, 0x1F, 0x44), png.GetPixel(0, 8));
    }

    [Fact]
    public async Task GeneratedText_ThenWordCount_ThenZip_Chain()
    {
        await RunAsync("text.generate", new TextGenerateArgs("chain/words.txt", 250, 50, Seed: 4));
        var counted = await RunAsync("text.wordcount", new WordCountArgs("chain/words.txt", 5));
        var zipped = await RunAsync("files.zip", new ZipArgs(["chain"], "chain.zip", 9));

        Assert.Equal(250, JsonSerializer.Deserialize<WordCountResult>(counted.ResultJson!, NexusJson.Options)!.Total);
        Assert.Equal(1, JsonSerializer.Deserialize<ZipResult>(zipped.ResultJson!, NexusJson.Options)!.Entries);
    }

    [Fact]
    public async Task PermanentFailure_GoesStraightToDead_WithTheMessage_AndNoOutput()
    {
        var task = await RunAsync("image.generate", new ImageGenerateArgs("too-big.png", 200, 100));

        Assert.Equal(TaskState.Dead, task.State);
        Assert.Equal(1, task.Attempt);
        var error = Assert.Single(task.Errors);
        Assert.StartsWith("args.width × args.height:", error.Message, StringComparison.Ordinal);
        Assert.Contains("limit of 10,000 pixels", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.At("too-big.png")));
    }


    [Fact]
    public async Task BadArgs_AreRefusedAtSubmit_NothingIsStored()
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _tasks.SubmitJsonAsync("image.generate", """{"filename":"x.png","width":0}"""));

        Assert.Equal("args.width", ex.Field);
        Assert.Empty((await _tasks.ListAsync(new TaskQuery())).Items);
    }

    [Theory]
    [InlineData("text.generate", """{"filename":"../../etc/passwd"}""", "args.filename", "'..'")]
    [InlineData("text.generate", """{"filename":"/etc/passwd"}""", "args.filename", "absolute")]
    [InlineData("image.generate", """{"filename":"\\\\server\\x.png"}""", "args.filename", "absolute")]
    [InlineData("pattern.draw", """{"filename":"C:\\x.png"}""", "args.filename", "absolute")]
    [InlineData("image.generate", """{"filename":"pictures/x.jpg"}""", "args.filename", "must end in .png")]
    [InlineData("pattern.draw", """{"filename":"x.PNG.txt"}""", "args.filename", "must end in .png")]
    [InlineData("text.wordcount", """{"inputFile":"a/../../b.txt"}""", "args.inputFile", "'..'")]
    [InlineData("data.mapreduce", """{"inputFile":"in.txt","outputFile":"..\\o.json"}""", "args.outputFile", "'..'")]
    [InlineData("images.pick-random", """{"sourceDir":"/etc","copyTo":"x"}""", "args.sourceDir", "absolute")]
    [InlineData("images.pick-random", """{"sourceDir":"in","copyTo":"../x"}""", "args.copyTo", "'..'")]
    [InlineData("files.zip", """{"sourcePaths":["ok","../up"],"outputFile":"z.zip"}""", "args.sourcePaths[1]", "'..'")]
    [InlineData("files.zip", """{"sourcePaths":["ok"],"outputFile":""}""", "args.outputFile", "")]
    [InlineData("files.zip", """{"sourcePaths":["ok","./out/z.zip"],"outputFile":"out/z.zip"}""", "args.sourcePaths", "the output file itself")]
    public async Task PathMistakes_AreRefusedAtSubmit_NamingTheField_NothingIsStored(string plugin, string args, string field, string problem)
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _tasks.SubmitJsonAsync(plugin, args));

        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith(field + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Empty((await _tasks.ListAsync(new TaskQuery())).Items);
    }

    [Theory]
    [InlineData("""{"inputFile":"in.json","outputFile":"o.json","operation":"groupby"}""", "args.key", "add \"key\"")]
    [InlineData("""{"inputFile":"in.json","outputFile":"o.json","operation":"sum","key":"k"}""", "args.key", "only groupby")]
    public async Task MapReduce_ArgumentsThatDoNotFitTheOperation_AreRefusedAtSubmit(string args, string field, string problem)
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _tasks.SubmitJsonAsync("data.mapreduce", args));

        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_BothNamesOfTheLevel_Disagreeing_AreRefusedAtSubmit()
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() =>
            _tasks.SubmitJsonAsync("files.zip", """{"sourcePaths":["a"],"outputFile":"a.zip","compression":9,"compressionLevel":1}"""));

        Assert.Equal("args.compression", ex.Field);
        Assert.Contains("give only one", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathThroughALinkOutOfTheRoot_PassesSubmit_AndGoesStraightToDeadWhenItRuns()
    {
        // Only the file system can tell where a link leads: the run-time check stays.
        Directory.CreateDirectory(_dir.Outside);
        Directory.CreateSymbolicLink(_dir.At("out"), _dir.Outside);

        var task = await RunAsync("text.generate", new TextGenerateArgs("out/escape.txt", 10));

        Assert.Equal(TaskState.Dead, task.State);
        Assert.StartsWith("args.filename:", Assert.Single(task.Errors).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Outside, "escape.txt")));
    }

    /// <summary>The original examples' payloads, exactly as written there.</summary>
    [Theory]
    [InlineData(0, "NoCompression")]
    [InlineData(6, "Optimal")]
    [InlineData(9, "SmallestSize")]
    public async Task SeedExample_ZipWithCompression_UsesItAsTheLevel(int compression, string level)
    {
        _dir.Write("seed/a.txt", "hello hello hello");
        var submitted = await _tasks.SubmitJsonAsync("files.zip", $$"""{"sourcePaths":["seed"],"outputFile":"seed-{{compression}}.zip","compression":{{compression}}}""");
        var task = await WaitAsync(submitted.Id);

        Assert.Equal(TaskState.Succeeded, task.State);
        Assert.Equal(level, JsonSerializer.Deserialize<ZipResult>(task.ResultJson!, NexusJson.Options)!.CompressionLevel);
    }

    [Fact]
    public async Task SeedExample_PatternDrawWithoutFilename_WritesPatternsTaskIdPng()
    {
        var submitted = await _tasks.SubmitJsonAsync("pattern.draw", """{"width":64,"height":48,"patterns":["spiral","waves"],"seed":5}""");
        var task = await WaitAsync(submitted.Id);

        Assert.Equal(TaskState.Succeeded, task.State);
        var result = JsonSerializer.Deserialize<PatternDrawResult>(task.ResultJson!, NexusJson.Options)!;
        Assert.Equal($"patterns/task-{submitted.Id}.png", result.Path);
        using var png = SKBitmap.Decode(_dir.At(result.Path));
        Assert.Equal((64, 48), (png.Width, png.Height));
    }

    [Theory]
    [InlineData("nums.json", "[1, 2.5, null, 3]", 6.5, 3)]
    [InlineData("nums.txt", "1\n2.5\n\n3\n", 6.5, 3)]
    [InlineData("records.json", """[{"name":"a","price":2},{"name":"b","price":3.5},{"name":"c","price":1}]""", 6.5, 3)]
    public async Task SeedExample_MapReduceSumWithoutField_AddsUpTheNumbers(string file, string content, double sum, long count)
    {
        _dir.Write(file, content);
        var submitted = await _tasks.SubmitJsonAsync("data.mapreduce", $$"""{"inputFile":"{{file}}","outputFile":"sum.json","operation":"sum"}""");
        var task = await WaitAsync(submitted.Id);

        Assert.Equal(TaskState.Succeeded, task.State);
        var result = JsonSerializer.Deserialize<MapReduceResult>(task.ResultJson!, NexusJson.Options)!;
        Assert.Equal((sum, count), (result.Sum!.Value, result.Count!.Value));
    }

    [Fact]
    public async Task MapReduceSumWithoutField_OverRecordsWithSeveralNumbers_DiesAskingForTheField()
    {
        _dir.Write("sales.json", """[{"price":1,"qty":2}]""");
        var submitted = await _tasks.SubmitJsonAsync("data.mapreduce", """{"inputFile":"sales.json","outputFile":"sum.json","operation":"sum"}""");
        var task = await WaitAsync(submitted.Id);

        Assert.Equal(TaskState.Dead, task.State);
        var message = Assert.Single(task.Errors).Message;
        Assert.StartsWith("args.field:", message, StringComparison.Ordinal);
        Assert.Contains("\"field\"", message, StringComparison.Ordinal);
        Assert.Contains("price, qty", message, StringComparison.Ordinal);
    }

    private Task<TaskRecord> WaitAsync(long id) => _tasks.WaitFinishedAsync(id, TimeSpan.FromSeconds(60));
}
