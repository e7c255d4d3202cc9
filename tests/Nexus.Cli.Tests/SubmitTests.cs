using System.Globalization;
using System.Text;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus submit</c> and <c>nexus tasks show</c> as a user runs them: the README's first steps.</summary>
public abstract class SubmitTests(ServerFixture fixture)
{
    protected NexusCli Cli { get; } = new(fixture.Host);

    [Fact]
    public async Task Submit_ThenTasksShow_SaysTheTaskSucceeded()
    {
        var submitted = await Cli.OkAsync("submit", "text.generate", "--args", """{"filename":"cli/story.txt","words":40}""", "--tag", "readme");
        var id = long.Parse(System.Text.RegularExpressions.Regex.Match(submitted.Stdout, @"Submitted task (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var done = await Cli.WaitFinishedAsync(id);
        var shown = await Cli.OkAsync("tasks", "show", id.ToString(CultureInfo.InvariantCulture));

        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(40, done.GetProperty("result").GetProperty("words").GetInt32());
        Assert.Matches(@"state\s+succeeded", shown.Stdout);
        Assert.Contains("text.generate", shown.Stdout, StringComparison.Ordinal);
        Assert.Equal("", shown.Stderr);
    }

    [Fact]
    public async Task SubmitWait_PrintsTheFinishedTaskAsJson_AndExitsZero()
    {
        var task = await Cli.JsonAsync("submit", "text.generate", "--args", """{"filename":"cli/wait.txt","words":10}""",
            "--wait", "--queue", "cli-wait", "--priority", "3", "--max-attempts", "2", "--unique-key", NexusCli.NewName("wait"));

        Assert.Equal("succeeded", task.GetProperty("state").GetString());
        Assert.Equal("cli-wait", task.GetProperty("queue").GetString());
        Assert.Equal(3, task.GetProperty("priority").GetInt32());
        Assert.Equal(2, task.GetProperty("maxAttempts").GetInt32());
        // Not on the wire (the contract ignores it), but the CLI's document has always carried it.
        Assert.True(task.GetProperty("isFinished").GetBoolean());
    }
}

public sealed class PostgresSubmitTests(PostgresServer fixture) : SubmitTests(fixture), IClassFixture<PostgresServer>;

public sealed class SqliteSubmitTests(SqliteServer fixture) : SubmitTests(fixture), IClassFixture<SqliteServer>
{
    [Fact]
    public async Task SubmitWait_WhenTheTaskDies_ExitsFourWithTheErrorInOneLine()
    {
        var result = await Cli.RunAsync("submit", "text.wordcount", "--args", """{"inputFile":"missing.txt"}""", "--max-attempts", "1", "--wait");

        Assert.Equal(4, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("dead", error, StringComparison.Ordinal);
        Assert.Contains("missing.txt", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitFile_WithThreeHundredLines_SubmitsThemAllInBatches()
    {
        var queue = NexusCli.NewName("bulk");
        var lines = new StringBuilder();
        for (var i = 0; i < 300; i++) lines.AppendLine(CultureInfo.InvariantCulture, $$$"""{"plugin":"text.generate","args":{"filename":"cli/bulk/{{{i}}}.txt","words":5}}""");
        lines.AppendLine(); // blank lines are skipped
        await File.WriteAllTextAsync(Path.Combine(Cli.Folder, "tasks.jsonl"), lines.ToString());

        var report = await Cli.JsonAsync("submit", "--file", "tasks.jsonl", "--batch-size", "128", "--queue", queue, "--tag", "bulk", "--delay", "1h");
        var listed = await Cli.JsonAsync("tasks", "ls", "--queue", queue, "--state", "scheduled", "--limit", "100", "--all");
        var human = await Cli.OkAsync("submit", "--file", "tasks.jsonl", "--queue", queue + "-h");

        Assert.Equal(300, report.GetProperty("submitted").GetInt32());
        Assert.Equal(300, report.GetProperty("created").GetInt32());
        var ids = report.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(300, ids.Distinct().Count());
        var items = listed.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(300, items.Count);
        Assert.All(items, t => Assert.Equal("bulk", t.GetProperty("tags")[0].GetString()));
        Assert.Equal(ids.OrderDescending(), items.Select(t => t.GetProperty("id").GetInt64()));
        Assert.Contains("Submitted 300 tasks from tasks.jsonl", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitFile_WithAnInvalidTask_NamesTheLineAndExitsOne()
    {
        var queue = NexusCli.NewName("badfile");
        await File.WriteAllLinesAsync(Path.Combine(Cli.Folder, "bad.jsonl"), [
            """{"plugin":"text.generate","args":{"filename":"a.txt","words":5}}""",
            """{"plugin":"text.generate","args":{"filename":"b.txt","words":0}}""",
        ]);
        await File.WriteAllLinesAsync(Path.Combine(Cli.Folder, "broken.jsonl"), ["""{"plugin":"text.generate","args":{}}""", "{not json"]);

        var refused = await Cli.RunAsync("submit", "--file", "bad.jsonl", "--queue", queue);
        var broken = await Cli.RunAsync("submit", "--file", "broken.jsonl", "--queue", queue);
        var listed = await Cli.JsonAsync("tasks", "ls", "--queue", queue);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("bad.jsonl:2: tasks[1].args.words", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, broken.ExitCode);
        Assert.StartsWith("error: broken.jsonl:2:", broken.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, listed.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task SubmitArgs_FromAFile_AreSent()
    {
        await File.WriteAllTextAsync(Path.Combine(Cli.Folder, "args.json"), """{"filename":"cli/from-file.txt","words":7}""");

        var task = await Cli.JsonAsync("submit", "text.generate", "--args", "@args.json", "--wait");

        Assert.Equal(7, task.GetProperty("result").GetProperty("words").GetInt32());
    }
}
