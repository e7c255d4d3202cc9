using System.Globalization;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus tasks why N</c>: the same reasons as <c>GET /api/v1/tasks/{id}/why</c>, as lines or JSON.</summary>
public sealed class TaskWhyCommandTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private NexusCli Cli { get; } = new(fixture.Host);

    [Fact]
    public async Task Why_ForATaskInAPausedQueue_SaysTheQueueIsPaused_InLinesAndJson_AndAnUnknownIdExitsOne()
    {
        var queue = "why-" + Guid.NewGuid().ToString("N")[..8];
        await Cli.OkAsync("queues", "pause", queue);
        var submitted = await Cli.JsonAsync("submit", "text.generate", "--args", """{"filename":"cli/why.txt","words":3}""", "--queue", queue);
        var id = submitted.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

        var lines = await Cli.OkAsync("tasks", "why", id);
        var json = await Cli.JsonAsync("tasks", "why", id);
        var unknown = await Cli.RunAsync("tasks", "why", "999999999");

        Assert.Contains($"Task {id} is available", lines.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"queue-paused\s+Queue '" + queue + "' is paused", lines.Stdout);
        Assert.Equal("", lines.Stderr);
        var reason = Assert.Single(json.GetProperty("reasons").EnumerateArray());
        Assert.Equal("queue-paused", reason.GetProperty("code").GetString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("not-found", unknown.Stderr, StringComparison.Ordinal);
    }
}
