using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus schedules</c> as a process: add, ls, show, next, pause, resume, history, rm; bad input exits 2
/// (usage) or 1 (the server's validation) with one line on stderr.</summary>
public sealed class ScheduleCommandTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private readonly NexusCli _cli = new(fixture.Host);

    [Fact]
    public async Task Add_Ls_Show_Next_Pause_Resume_History_Rm()
    {
        var name = NexusCli.NewName("cli-sched");

        var added = await _cli.JsonAsync("schedules", "add", name, "--cron", "30 2 * * *", "--tz", "Europe/Berlin", "--plugin", "text.generate",
            "--args", """{"filename":"cli/s.txt"}""", "--overlap", "buffer-one", "--description", "nightly");
        var table = await _cli.OkAsync("schedules", "ls");
        var shown = await _cli.OkAsync("schedules", "show", name);
        var next = await _cli.JsonAsync("schedules", "next", name, "-n", "3");
        var nextText = await _cli.OkAsync("schedules", "next", name, "-n", "2");
        var paused = await _cli.JsonAsync("schedules", "pause", name, "--reason", "freeze", "--until", "2099-01-01T00:00:00Z");
        var resumed = await _cli.JsonAsync("schedules", "resume", name);
        var history = await _cli.JsonAsync("schedules", "history", name);
        var removed = await _cli.JsonAsync("schedules", "rm", name);
        var missing = await _cli.RunAsync("schedules", "show", name);

        Assert.Equal(("buffer-one", "Europe/Berlin"), (added.GetProperty("overlap").GetString(), added.GetProperty("timeZone").GetString()));
        Assert.Contains(name, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("30 2 * * *", shown.Stdout, StringComparison.Ordinal);
        var slots = next.GetProperty("slots").EnumerateArray().Select(e => e.GetDateTimeOffset()).ToList();
        Assert.Equal(3, slots.Count);
        Assert.All(slots, s => Assert.Equal(30, s.Minute));
        Assert.Equal(2, nextText.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal((true, "freeze"), (paused.GetProperty("paused").GetBoolean(), paused.GetProperty("pauseReason").GetString()));
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.Equal(0, history.GetProperty("items").GetArrayLength());
        Assert.True(removed.GetProperty("deleted").GetBoolean());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not-found", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_ExitsWithOneLine()
    {
        var noTarget = await _cli.RunAsync("schedules", "add", NexusCli.NewName("s"), "--cron", "* * * * *");
        var badCron = await _cli.RunAsync("schedules", "add", NexusCli.NewName("s"), "--cron", "61 * * * *", "--plugin", "text.generate", "--args", """{"filename":"x.txt"}""");
        var badUntil = await _cli.RunAsync("schedules", "pause", "whatever", "--until", "soon");

        Assert.Equal(2, noTarget.ExitCode);
        Assert.Single(noTarget.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, badCron.ExitCode);
        Assert.Contains("cron", Assert.Single(badCron.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal(2, badUntil.ExitCode);
        Assert.Contains("--until", badUntil.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_WithAnEventOrAWorkflowTarget_StoresIt_AndBadTargetsExitNonZero()
    {
        var emit = NexusCli.NewName("cli-emit");
        var start = NexusCli.NewName("cli-start");

        var e = await _cli.JsonAsync("schedules", "add", emit, "--cron", "0 * * * *", "--emit", "default/report.due", "--payload", """{"kind":"hourly"}""");
        var w = await _cli.JsonAsync("schedules", "add", start, "--cron", "0 3 * * *", "--workflow", "nightly-import", "--input", """{"n":1}""");
        var table = await _cli.OkAsync("schedules", "ls");
        var reserved = await _cli.RunAsync("schedules", "add", NexusCli.NewName("bad"), "--cron", "0 * * * *", "--emit", "default/$state.x");
        var badInput = await _cli.RunAsync("schedules", "add", NexusCli.NewName("bad"), "--cron", "0 * * * *", "--workflow", "w", "--input", "[1]");
        var noSlash = await _cli.RunAsync("schedules", "add", NexusCli.NewName("bad"), "--cron", "0 * * * *", "--emit", "report.due");
        var two = await _cli.RunAsync("schedules", "add", NexusCli.NewName("bad"), "--cron", "0 * * * *", "--emit", "default/a", "--workflow", "w");

        var ev = e.GetProperty("target").GetProperty("event");
        Assert.Equal(("default", "report.due", "hourly"), (ev.GetProperty("namespace").GetString(), ev.GetProperty("topic").GetString(), ev.GetProperty("payload").GetProperty("kind").GetString()));
        var wf = w.GetProperty("target").GetProperty("workflow");
        Assert.Equal(("nightly-import", 1), (wf.GetProperty("name").GetString(), wf.GetProperty("input").GetProperty("n").GetInt32()));
        Assert.Contains(emit, table.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, reserved.ExitCode);
        Assert.Contains("target.event.topic", reserved.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, badInput.ExitCode);
        Assert.Contains("target.workflow.input", badInput.Stderr, StringComparison.Ordinal);
        Assert.Equal((2, 2), (noSlash.ExitCode, two.ExitCode));
    }
}
