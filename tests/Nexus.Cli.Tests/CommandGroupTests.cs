using System.Globalization;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary>The happy path of every command group, as JSON (parsed) and as human tables.</summary>
public sealed class CommandGroupTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private readonly NexusCli _cli = new(fixture.Host);

    private static string S(long id) => id.ToString(CultureInfo.InvariantCulture);

    private async Task<long> SubmitAsync(params string[] args) => (await _cli.JsonAsync(["submit", .. args])).GetProperty("id").GetInt64();

    [Fact]
    public async Task Tasks_LsFiltersAndPages_CancelRetryAndRm()
    {
        var tag = NexusCli.NewName("t");
        var ids = new List<long>();
        for (var i = 0; i < 3; i++) ids.Add(await SubmitAsync("text.generate", "--args", """{"filename":"cli/t.txt"}""", "--tag", tag, "--delay", "1h"));

        var page = await _cli.JsonAsync("tasks", "ls", "--tag", tag, "--limit", "2");
        var next = await _cli.JsonAsync("tasks", "ls", "--tag", tag, "--limit", "2", "--cursor", page.GetProperty("next").GetString()!);
        var table = await _cli.OkAsync("tasks", "ls", "--tag", tag, "--state", "scheduled");
        var cancelled = await _cli.JsonAsync("tasks", "cancel", S(ids[0]));
        var retried = await _cli.JsonAsync("tasks", "retry", S(ids[0]));
        await _cli.WaitFinishedAsync(ids[0]);
        var removed = await _cli.JsonAsync("tasks", "rm", S(ids[0]));
        var after = await _cli.JsonAsync("tasks", "ls", "--tag", tag, "--all");

        Assert.Equal([ids[2], ids[1]], page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        Assert.Equal([ids[0]], next.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        Assert.All(ids, id => Assert.Matches($@"│\s+{id} │ text\.generate", table.Stdout));
        Assert.Equal("cancelled", cancelled.GetProperty("outcome").GetString());
        Assert.Equal("retried", retried.GetProperty("outcome").GetString());
        Assert.True(removed.GetProperty("deleted").GetBoolean());
        Assert.Equal([ids[2], ids[1]], after.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Tasks_RetryWithArgs_RunsWithThem_AndBadArgsAreOneLine()
    {
        var id = await SubmitAsync("text.generate", "--args", """{"filename":"cli/r1.txt","words":3}""", "--delay", "1h");
        await _cli.JsonAsync("tasks", "cancel", S(id));

        var bad = await _cli.RunAsync("tasks", "retry", S(id), "--args", """{"filename":"cli/r2.txt","words":0}""");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("args.words", Assert.Single(bad.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        var notJson = await _cli.RunAsync("tasks", "retry", S(id), "--args", "{nope");
        Assert.Equal(2, notJson.ExitCode);

        var retried = await _cli.JsonAsync("tasks", "retry", S(id), "--args", """{"filename":"cli/r2.txt","words":4}""");
        Assert.Equal("retried", retried.GetProperty("outcome").GetString());
        var done = await _cli.WaitFinishedAsync(id);
        Assert.Equal("cli/r2.txt", done.GetProperty("args").GetProperty("filename").GetString());
        Assert.Equal(4, done.GetProperty("result").GetProperty("words").GetInt32());
    }

    [Fact]
    public async Task Tasks_LsAcceptsEveryStateTheServerHas()
    {
        // `waiting` (steps and deliveries that wait on something) was refused with exit 2 before the client knew it.
        foreach (var state in Nexus.Tasks.TaskStates.All.Select(Nexus.Tasks.TaskStates.ToName))
        {
            var page = await _cli.JsonAsync("tasks", "ls", "--state", state, "--limit", "5");
            Assert.All(page.GetProperty("items").EnumerateArray(), t => Assert.Equal(state, t.GetProperty("state").GetString()));
        }
    }

    [Fact]
    public async Task Dlq_LsRetryOneRetryMatchingAndPurge()
    {
        var tag = NexusCli.NewName("dlq");
        var doomed = new[] { "text.wordcount", "--args", """{"inputFile":"gone.txt"}""", "--max-attempts", "1", "--tag", tag };
        var first = await SubmitAsync(doomed);
        var second = await SubmitAsync(doomed);
        await _cli.WaitFinishedAsync(first);
        await _cli.WaitFinishedAsync(second);

        var listed = await _cli.JsonAsync("dlq", "ls", "--tag", tag);
        var table = await _cli.OkAsync("dlq", "ls", "--tag", tag);
        var one = await _cli.JsonAsync("dlq", "retry", S(first));
        await _cli.WaitFinishedAsync(first);
        var many = await _cli.JsonAsync("dlq", "retry", "--tag", tag);
        await _cli.WaitFinishedAsync(first);
        await _cli.WaitFinishedAsync(second);
        var purged = await _cli.OkAsync("dlq", "purge", "--tag", tag);
        var empty = await _cli.JsonAsync("dlq", "ls", "--tag", tag);

        Assert.Equal([second, first], listed.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        Assert.Contains("dead", table.Stdout, StringComparison.Ordinal);
        Assert.Equal("retried", one.GetProperty("outcome").GetString());
        Assert.Equal(2, many.GetProperty("count").GetInt32());
        Assert.Contains("Deleted 2 dead task(s).", purged.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, empty.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Queues_LsPauseResumeAndLimits()
    {
        var queue = NexusCli.NewName("q");
        await SubmitAsync("text.generate", "--args", """{"filename":"cli/q.txt"}""", "--queue", queue, "--delay", "1h");

        var paused = await _cli.JsonAsync("queues", "pause", queue);
        var limited = await _cli.JsonAsync("queues", "limits", queue, "--max-concurrency", "2", "--max-backlog", "50");
        var unlimited = await _cli.JsonAsync("queues", "limits", queue, "--max-backlog", "none");
        var resumed = await _cli.JsonAsync("queues", "resume", queue);
        var listed = (await _cli.JsonAsync("queues", "ls")).EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
        var table = await _cli.OkAsync("queues", "ls");

        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(2, limited.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(50, limited.GetProperty("maxBacklog").GetInt64());
        Assert.Equal(2, unlimited.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unlimited.GetProperty("maxBacklog").ValueKind);
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.Equal(1, listed.GetProperty("counts").GetProperty("scheduled").GetInt64());
        Assert.Contains(queue, table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plugins_LsAndShowTheArgsSchema()
    {
        var all = await _cli.JsonAsync("plugins", "ls");
        var table = await _cli.OkAsync("plugins", "ls");
        var shown = await _cli.OkAsync("plugins", "show", "text.generate");
        var json = await _cli.JsonAsync("plugins", "show", "text.generate");

        Assert.Contains(all.EnumerateArray(), p => p.GetProperty("name").GetString() == "text.wordcount");
        Assert.Contains("image.generate", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("args schema:", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"words\"", shown.Stdout, StringComparison.Ordinal);
        Assert.True(json.GetProperty("argsSchema").GetProperty("properties").TryGetProperty("filename", out _));
    }

    [Fact]
    public async Task NodesLs_ShowsTheServersEngine()
    {
        var nodes = await _cli.JsonAsync("nodes", "ls");
        var table = await _cli.OkAsync("nodes", "ls");

        var node = Assert.Single(nodes.EnumerateArray(), n => n.GetProperty("id").GetString() == "server-test");
        Assert.Equal("engine", node.GetProperty("kind").GetString());
        Assert.Equal("alive", node.GetProperty("status").GetString());
        Assert.Contains("server-test", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_PrintsTheKeyOnce_WhichThenWorks_UntilRevoked()
    {
        var name = NexusCli.NewName("ci");
        var created = await _cli.RunAsync("keys", "create", name, "--role", "viewer", "--json");
        Assert.Equal(0, created.ExitCode);
        var key = created.Json().GetProperty("key").GetString()!;
        var id = created.Json().GetProperty("info").GetProperty("id").GetString()!;
        var viewer = new NexusCli(fixture.Host, apiKey: null);

        var read = await viewer.RunAsync("--api-key", key, "tasks", "ls", "--json");
        var write = await viewer.RunAsync(["submit", "text.generate", "--args", """{"filename":"v.txt"}"""], new Dictionary<string, string> { ["NEXUS_API_KEY"] = key });
        var listed = await _cli.OkAsync("keys", "ls");
        var revoked = await _cli.JsonAsync("keys", "revoke", id);
        var after = await viewer.RunAsync("--api-key", key, "tasks", "ls");
        var human = await _cli.OkAsync("keys", "create", NexusCli.NewName("h"), "--role", "worker");

        Assert.Contains("not shown again", created.Stderr.Replace("cannot be shown again", "not shown again", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(1, write.ExitCode);
        Assert.Contains("forbidden", write.Stderr, StringComparison.Ordinal);
        Assert.Contains(name, listed.Stdout, StringComparison.Ordinal);
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("invalid-credentials", after.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^nx_[0-9a-f]+_\S+$", human.Stdout);
        Assert.Contains("shown only now", human.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_SaysAliveAndReady()
    {
        var human = await _cli.OkAsync("health");
        var json = await _cli.JsonAsync("health");

        Assert.Contains("alive, ready (sqlite", human.Stdout, StringComparison.Ordinal);
        Assert.True(json.GetProperty("ready").GetProperty("isReady").GetBoolean());
        Assert.Equal("server-test", json.GetProperty("info").GetProperty("nodeId").GetString());
    }

    [Fact]
    public async Task WatchCount2_RefreshesTwice_TheSecondWithThroughput()
    {
        var queue = NexusCli.NewName("watch");
        await SubmitAsync("text.generate", "--args", """{"filename":"cli/w.txt"}""", "--queue", queue, "--delay", "1h");

        var json = await _cli.JsonAsync("watch", "--count", "2", "--interval", "0.2");
        var human = await _cli.OkAsync("watch", "--count", "2", "--interval", "0.2");

        var snapshots = json.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(2, snapshots.Count);
        var first = snapshots[0].GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
        var second = snapshots[1].GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("finishedPerSecond").ValueKind);
        Assert.Equal(0, second.GetProperty("finishedPerSecond").GetDouble());
        Assert.Equal(1, second.GetProperty("counts").GetProperty("scheduled").GetInt64());
        Assert.Equal(2, human.Stdout.Split("Nexus queues at").Length - 1);
        Assert.Contains("done/s", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Artifacts_LsListsATasksOutput_AndGetDownloadsIt()
    {
        var folder = NexusCli.NewName("art");
        var id = await SubmitAsync("text.generate", "--args", $$"""{"filename":"{{folder}}/story.txt","words":100}""", "--wait");

        var json = await _cli.JsonAsync("artifacts", "ls", folder + "/");
        var table = await _cli.OkAsync("artifacts", "ls", folder + "/");
        var got = await _cli.JsonAsync("artifacts", "get", $"{folder}/story.txt", "-o", "copy.txt");
        var plain = await _cli.OkAsync("artifacts", "get", $"{folder}/story.txt");
        var piped = await _cli.OkAsync("artifacts", "get", $"{folder}/story.txt", "-o", "-");
        Directory.CreateDirectory(Path.Combine(_cli.Folder, "into"));
        await _cli.OkAsync("artifacts", "get", $"{folder}/story.txt", "-o", "into");

        var onDisk = await File.ReadAllTextAsync(Path.Combine(fixture.Host.ArtifactsRoot, folder, "story.txt"));
        var item = Assert.Single(json.GetProperty("items").EnumerateArray());
        Assert.True(id > 0);
        Assert.Equal($"{folder}/story.txt", item.GetProperty("path").GetString());
        Assert.Equal(onDisk.Length, item.GetProperty("bytes").GetInt64());
        Assert.Contains($"{folder}/story.txt", table.Stdout, StringComparison.Ordinal);
        Assert.Equal(onDisk.Length, got.GetProperty("bytes").GetInt64());
        Assert.Equal(onDisk, await File.ReadAllTextAsync(Path.Combine(_cli.Folder, "copy.txt")));
        Assert.Equal(onDisk, await File.ReadAllTextAsync(Path.Combine(_cli.Folder, "story.txt")));
        Assert.Contains("Saved", plain.Stdout, StringComparison.Ordinal);
        Assert.Equal(onDisk, piped.Stdout);
        Assert.Equal(onDisk, await File.ReadAllTextAsync(Path.Combine(_cli.Folder, "into", "story.txt")));
    }

    [Fact]
    public async Task ArtifactsGet_AMissingOrEscapingPath_FailsWithTheProblem_AndWritesNoFile()
    {
        var missing = await _cli.RunAsync("artifacts", "get", "nothing/here.txt");
        var escaping = await _cli.RunAsync("artifacts", "get", "..\\nexus.db", "-o", "db");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("404 not-found", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, escaping.ExitCode);
        Assert.Contains("field path", escaping.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_cli.Folder));
    }

    [Fact]
    public async Task State_SetGetLsHistoryRm_AndALostCompareAndSetFails()
    {
        var ns = "cli-" + Guid.NewGuid().ToString("N")[..8];

        var set = await _cli.JsonAsync("state", "set", "users/1", """{"name":"Ada"}""", "--ns", ns, "--expect", "0");
        var lost = await _cli.RunAsync("state", "set", "users/1", "2", "--ns", ns, "--expect", "0");
        var badJson = await _cli.RunAsync("state", "set", "users/1", "{nope", "--ns", ns);
        var got = await _cli.OkAsync("state", "get", "users/1", "--ns", ns);
        var listed = await _cli.JsonAsync("state", "ls", "users/", "--ns", ns);
        var history = await _cli.JsonAsync("state", "history", "users/1", "--ns", ns);
        var removed = await _cli.JsonAsync("state", "rm", "users/1", "--ns", ns);
        var missing = await _cli.RunAsync("state", "get", "users/1", "--ns", ns);

        Assert.Equal(1, set.GetProperty("version").GetInt64());
        Assert.Equal(1, lost.ExitCode);
        Assert.Contains("409 state-conflict", lost.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badJson.ExitCode);
        Assert.Contains("value: not valid JSON", badJson.Stderr, StringComparison.Ordinal);
        Assert.Contains("""{"name":"Ada"}""", got.Stdout, StringComparison.Ordinal);
        Assert.Equal("users/1", listed.GetProperty("items")[0].GetProperty("key").GetString());
        Assert.Equal(1, history.GetArrayLength());
        Assert.Equal(2, removed.GetProperty("version").GetInt64());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);
    }
}
