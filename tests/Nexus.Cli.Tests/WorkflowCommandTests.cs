using System.Globalization;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus workflows …</c> and <c>nexus runs …</c> as a user runs them: the documented pipeline command, a
/// definition registered from a file, a run steered and shown as a graph, and mistakes answered in one line.</summary>
public sealed class WorkflowCommandTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private NexusCli Cli { get; } = new(fixture.Host);

    [Fact]
    public async Task ThePipelineDemo_RunsWithOneCommand_AndItsGraphShowsEveryStep()
    {
        var result = await Cli.OkAsync("workflows", "start", "pipeline", "--wait");

        Assert.Matches(@"Run \d+\s+pipeline v1\s+succeeded", result.Stdout);
        foreach (var step in new[] { "plan", "images", "patterns", "text", "wordcount", "pick", "zip" }) Assert.Contains(step, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("10/10 items", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("← pick, patterns, wordcount", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePipelineZip_IsListed_Downloaded_AndTheZipStepsLogPrinted()
    {
        var run = await Cli.JsonAsync("workflows", "start", "pipeline", "--wait");
        var id = run.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        Assert.Matches("^[0-9a-f]{32}$", run.GetProperty("traceId").GetString());
        Assert.Contains("trace " + run.GetProperty("traceId").GetString(), (await Cli.OkAsync("runs", "show", id)).Stdout, StringComparison.Ordinal);

        var listed = await Cli.OkAsync("runs", "artifacts", id);
        Assert.Contains($"zip/run-{id}.zip", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("zip/logs/attempt-1.log", listed.Stdout, StringComparison.Ordinal);

        var target = Path.Combine(Cli.Folder, "pipeline.zip");
        var saved = await Cli.OkAsync("runs", "download", id, $"zip/run-{id}.zip", "-o", target);
        Assert.Contains("Saved", saved.Stdout, StringComparison.Ordinal);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(target)) Assert.Equal(19, zip.Entries.Count);

        var log = await Cli.OkAsync("runs", "logs", id, "zip");
        Assert.Contains("Packed 19 entries", log.Stdout, StringComparison.Ordinal);

        var missing = await Cli.RunAsync("runs", "download", id, "zip/none.zip");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("none.zip", Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Cli.Folder, "none.zip")));
        var noLog = await Cli.RunAsync("runs", "logs", id, "plan");
        Assert.NotEqual(0, noLog.ExitCode);
        Assert.Single(noLog.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task ADefinitionFromAFile_IsRegistered_Started_Signalled_AndListed()
    {
        var name = NexusCli.NewName("cliwf");
        var file = Path.Combine(Cli.Folder, "wf.json");
        await File.WriteAllTextAsync(file, $$"""{"name":"{{name}}","steps":[{"id":"wait","kind":"waitForEvent","signal":"go"},{"id":"done","kind":"noop","needs":["wait"]}]}""");

        Assert.Contains("version 1", (await Cli.OkAsync("workflows", "register", file)).Stdout, StringComparison.Ordinal);
        Assert.Contains("unchanged", (await Cli.OkAsync("workflows", "register", file)).Stdout, StringComparison.Ordinal);
        var started = await Cli.JsonAsync("workflows", "start", name, "--input", """{"x":1}""");
        var id = started.GetProperty("runId").GetInt64().ToString(CultureInfo.InvariantCulture);
        Assert.Contains("waiting", (await Cli.OkAsync("runs", "show", id)).Stdout, StringComparison.Ordinal);
        Assert.Contains("paused", (await Cli.OkAsync("runs", "pause", id)).Stdout, StringComparison.Ordinal);
        await Cli.OkAsync("runs", "resume", id);
        await Cli.OkAsync("runs", "signal", id, "go", "--payload", """{"ok":true}""");
        var run = await Cli.JsonAsync("runs", "wait", id);
        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        Assert.Contains(id, (await Cli.OkAsync("runs", "ls", "--workflow", name)).Stdout, StringComparison.Ordinal);
        Assert.Contains(name, (await Cli.OkAsync("workflows", "ls")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mistakes_AreOneLine_WithANonZeroExit()
    {
        var bad = Path.Combine(Cli.Folder, "bad.json");
        await File.WriteAllTextAsync(bad, """{"name":"cli-bad","steps":[{"id":"a","kind":"noop","needs":["b"]}]}""");

        var refused = await Cli.RunAsync("workflows", "register", bad);
        var badInput = await Cli.RunAsync("workflows", "start", "pipeline", "--input", "{nope");
        var missing = await Cli.RunAsync("runs", "cancel", "987654321");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("steps[0].needs[0]", Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal(2, badInput.ExitCode);
        Assert.Contains("--input", Assert.Single(badInput.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
