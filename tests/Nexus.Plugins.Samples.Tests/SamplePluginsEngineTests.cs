using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Hosting;
using Nexus.Tasks;
using SkiaSharp;

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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await _tasks.WaitAsync(submitted.Id, timeout.Token);
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
    public async Task PathEscape_GoesStraightToDead()
    {
        var task = await RunAsync("data.mapreduce", new MapReduceArgs("../nexus.db", "out.json"));

        Assert.Equal(TaskState.Dead, task.State);
        Assert.StartsWith("args.inputFile:", Assert.Single(task.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadArgs_AreRefusedAtSubmit_NothingIsStored()
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _tasks.SubmitJsonAsync("image.generate", """{"filename":"x.png","width":0}"""));

        Assert.Equal("args.width", ex.Field);
        Assert.Empty((await _tasks.ListAsync(new TaskQuery())).Items);
    }
}
