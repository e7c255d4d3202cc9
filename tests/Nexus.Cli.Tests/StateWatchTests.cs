using System.Text.Json;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus state watch</c> as a running process against the real server: the current value first (read after
/// the log's head), then each change after that head; an absent key says so; a prefix prints every key it holds;
/// <c>--after</c> resumes without the current value.</summary>
public sealed class StateWatchTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private readonly NexusCli _cli = new(fixture.Host);

    private static string Ns() => NexusCli.NewName("sw").ToLowerInvariant();

    [Fact]
    public async Task Watch_PrintsTheCurrentValueFirst_ThenTheChangesAfterIt()
    {
        var ns = Ns();
        await _cli.OkAsync("state", "set", "carts/1", """{"n":1}""", "--ns", ns);
        await _cli.OkAsync("state", "set", "carts/1", """{"n":2}""", "--ns", ns);

        await using var watch = _cli.Start("state", "watch", "carts/1", "--ns", ns);
        var current = (await watch.NextLineAsync()).Split(' ', 5);
        Assert.Equal(["current", "carts/1", "v2", """{"n":2}"""], current[1..]);
        var head = current[0];

        await _cli.OkAsync("state", "set", "carts/1", """{"n":3}""", "--ns", ns);
        var change = (await watch.NextLineAsync()).Split(' ', 5);
        Assert.Equal(["updated", "carts/1", "v3", """{"n":3}"""], change[1..]);
        Assert.NotEqual(head, change[0]);
    }

    [Fact]
    public async Task Watch_OfAnAbsentKey_SaysSo_AsJsonToo_ThenItsCreation()
    {
        var ns = Ns();
        await _cli.OkAsync("state", "set", "other", "1", "--ns", ns);
        await using var plain = _cli.Start("state", "watch", "nope", "--ns", ns);
        Assert.EndsWith(" absent nope", await plain.NextLineAsync(), StringComparison.Ordinal);

        await using var json = _cli.Start("state", "watch", "nope", "--ns", ns, "--json");
        var first = JsonDocument.Parse(await json.NextLineAsync()).RootElement;
        Assert.Equal(("current", "nope", false, 0L, JsonValueKind.Null), (first.GetProperty("type").GetString(), first.GetProperty("key").GetString(),
            first.GetProperty("exists").GetBoolean(), first.GetProperty("version").GetInt64(), first.GetProperty("value").ValueKind));

        await _cli.OkAsync("state", "set", "nope", "\"here\"", "--ns", ns);
        var created = JsonDocument.Parse(await json.NextLineAsync()).RootElement;
        Assert.Equal(("change", "created", "here"), (created.GetProperty("type").GetString(), created.GetProperty("op").GetString(), created.GetProperty("value").GetString()));
        Assert.EndsWith(" created nope v1 \"here\"", await plain.NextLineAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_OfAPrefix_PrintsEveryKeyItHolds_AndAfter_ResumesWithoutThem()
    {
        var ns = Ns();
        await _cli.OkAsync("state", "set", "users/a", "1", "--ns", ns);
        await _cli.OkAsync("state", "set", "users/b", "2", "--ns", ns);
        await _cli.OkAsync("state", "set", "teams/x", "3", "--ns", ns);

        string head;
        await using (var watch = _cli.Start("state", "watch", "users/", "--prefix", "--ns", ns))
        {
            var a = (await watch.NextLineAsync()).Split(' ', 5);
            var b = (await watch.NextLineAsync()).Split(' ', 5);
            Assert.Equal(["current", "users/a", "v1", "1"], a[1..]);
            Assert.Equal(["current", "users/b", "v1", "2"], b[1..]);
            head = a[0];
            await _cli.OkAsync("state", "set", "users/c", "4", "--ns", ns);
            Assert.Equal(["created", "users/c", "v1", "4"], (await watch.NextLineAsync()).Split(' ', 5)[1..]);
        }

        // From the head printed before: only what came after it.
        await using var resumed = _cli.Start("state", "watch", "users/", "--prefix", "--ns", ns, "--after", head);
        Assert.Equal(["created", "users/c", "v1", "4"], (await resumed.NextLineAsync()).Split(' ', 5)[1..]);
    }
}
