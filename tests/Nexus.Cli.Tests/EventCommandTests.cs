using System.Text.Json;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus events …</c> and <c>nexus subs …</c> as processes against the real server.</summary>
public sealed class EventCommandTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private readonly NexusCli _cli = new(fixture.Host);

    [Fact]
    public async Task Events_EmitTailSubscribeReplayAndCursor_FromTheCommandLine()
    {
        var ns = NexusCli.NewName("cli").ToLowerInvariant();
        await _cli.OkAsync("events", "ns-add", ns, "--description", "from the cli");
        var consumer = await _cli.JsonAsync("subs", "add", ns, "readers", "orders.>", "--consumer", "--from", "all");
        var emitted = await _cli.JsonAsync("events", "emit", ns, "orders.created", """{"id":7}""", "--key", "o-7", "--priority", "high");
        await _cli.JsonAsync("events", "emit", ns, "users.created", "\"ada\"", "--repeat", "2");

        var lines = await Eventually.UntilAsync(async () => (await _cli.OkAsync("events", "tail", ns, "--count", "3", "--json")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Length == 3, because: "three events tailed");
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(("orders.created", "o-7", "high", 7), (first.GetProperty("topic").GetString(), first.GetProperty("key").GetString(),
            first.GetProperty("priority").GetString(), first.GetProperty("payload").GetProperty("id").GetInt32()));
        var orders = await _cli.OkAsync("events", "tail", ns, "--pattern", "orders.*", "--count", "1");
        Assert.Contains("orders.created", orders.Stdout, StringComparison.Ordinal);

        var listed = await _cli.JsonAsync("subs", "ls", ns);
        Assert.Equal("readers", Assert.Single(listed.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal("consumer", consumer.GetProperty("action").GetString());
        var position = emitted[0].GetProperty("position").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var replay = await _cli.JsonAsync("events", "replay", ns, "readers", "--from", position, "--to", position, "--replay-id", "cli-1");
        Assert.Equal(1, replay.GetProperty("events").GetInt32());
        var moved = await _cli.JsonAsync("subs", "cursor", ns, "readers", "all");
        Assert.Equal("0-0", moved.GetProperty("cursor").GetString());
        var names = (await _cli.JsonAsync("events", "namespaces")).EnumerateArray().Select(n => n.GetProperty("name").GetString());
        Assert.Contains(ns, names);
        await _cli.OkAsync("subs", "rm", ns, "readers");
        Assert.Empty((await _cli.JsonAsync("subs", "ls", ns)).EnumerateArray());
        var ordered = await _cli.JsonAsync("subs", "add", ns, "per-cart", "carts.>", "--consumer", "--ordered-by-key");
        Assert.True(ordered.GetProperty("orderedByKey").GetBoolean());
        Assert.True(Assert.Single((await _cli.JsonAsync("subs", "ls", ns)).EnumerateArray()).GetProperty("orderedByKey").GetBoolean());
    }

    [Fact]
    public async Task Events_BadInput_ExitsNonZeroWithOneLine()
    {
        var badJson = await _cli.RunAsync("events", "emit", "default", "a.b", "{not json");
        var reserved = await _cli.RunAsync("events", "emit", "default", "$state.x", "{}");
        var noAction = await _cli.RunAsync("subs", "add", "default", "s", "a.*");

        Assert.Equal(2, badJson.ExitCode);
        Assert.Contains("payload is not valid JSON", badJson.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, reserved.ExitCode);
        Assert.Contains("topic", reserved.Stderr, StringComparison.Ordinal);
        Assert.Single(reserved.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, noAction.ExitCode);
    }
}
