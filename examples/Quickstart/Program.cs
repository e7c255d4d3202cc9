// The Nexus quickstart: an engine on an SQLite file with the sample plugins, a few tasks submitted, their
// results printed. Run it with `./build.sh run` (or `dotnet run --project examples/Quickstart`).
// Settings: --Nexus:Sqlite "Data Source=./data/nexus.db" --Nexus:Artifacts ./generated (or NEXUS_ environment variables).
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexus;
using Nexus.Hosting;
using Nexus.Plugins.Samples;
using Nexus.Tasks;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("NEXUS_");
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Nexus", LogLevel.Information);
var sqlite = builder.Configuration["Nexus:Sqlite"] ?? "Data Source=./data/nexus.db";
var artifacts = builder.Configuration["Nexus:Artifacts"] ?? "./generated";

// <usage>
builder.Services.AddNexus(nexus => nexus
    .UseSqlite(sqlite)
    .AddSamplePlugins(o => o.ArtifactsRoot = artifacts)
    .Configure(o => o.Concurrency = 4));

using var host = builder.Build();
await host.StartAsync();
var tasks = host.Services.GetRequiredService<INexusTasks>();

var image = await tasks.SubmitAsync("image.generate",
    new ImageGenerateArgs("quickstart/rainbow.png", Width: 640, Height: 360, Pattern: ImagePattern.Gradient, ColorScheme: ColorScheme.Rainbow, Seed: 7));
var text = await tasks.SubmitAsync("text.generate",
    new TextGenerateArgs("quickstart/story.txt", Words: 2000, LineWidth: 72, Seed: 1),
    new SubmitOptions { Priority = 10, Tags = ["quickstart"] });
// </usage>
Console.WriteLine($"Submitted image.generate as task {image.Id} and text.generate as task {text.Id}.");

var clock = Stopwatch.StartNew();
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var textDone = Report(await tasks.WaitAsync(text.Id, deadline.Token));
if (textDone.State == TaskState.Succeeded)
{
    // Chain: count the words of the text the previous task wrote.
    var count = await tasks.SubmitAsync("text.wordcount", new WordCountArgs("quickstart/story.txt", Top: 5));
    Console.WriteLine($"Submitted text.wordcount as task {count.Id}.");
    Report(await tasks.WaitAsync(count.Id, deadline.Token));
}
Report(await tasks.WaitAsync(image.Id, deadline.Token));
await host.StopAsync();

Console.WriteLine();
Console.WriteLine($"Outputs are under {Path.GetFullPath(artifacts)}{Path.DirectorySeparatorChar}quickstart; the task database is {sqlite}.");
return 0;

TaskRecord Report(TaskRecord task)
{
    var line = $"[{clock.ElapsedMilliseconds,5} ms] task {task.Id} {task.Plugin}: {task.State.ToName()} after {task.Attempt} attempt(s)";
    Console.WriteLine(line);
    if (task.ResultJson is not null)
    {
        using var doc = JsonDocument.Parse(task.ResultJson);
        Console.WriteLine("           result: " + JsonSerializer.Serialize(doc.RootElement, new JsonSerializerOptions { WriteIndented = false }));
    }
    foreach (var error in task.Errors) Console.WriteLine($"           attempt {error.Attempt} failed: {error.Type}: {error.Message}");
    return task;
}
