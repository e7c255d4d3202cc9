using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Server.Tests.Services;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus services</c> as a process: register, heartbeat, ls (table and JSON, filtered), rm; a missing
/// --url exits 2; invoke against a real Kestrel service (its answer printed, a non-2xx answer exits 1, a bad method 2,
/// no healthy instance 1 with Nexus's one-line problem).</summary>
public sealed class ServiceCommandTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private readonly NexusCli _cli = new(fixture.Host);

    [Fact]
    public async Task Register_Heartbeat_Ls_Rm()
    {
        var name = NexusCli.NewName("svc");

        var registered = await _cli.JsonAsync("services", "register", name, "i1", "--url", "http://127.0.0.1:9/", "-c", "pdf", "--ttl", "1m");
        var first = await _cli.JsonAsync("services", "heartbeat", name, "i1");
        var beat = await _cli.JsonAsync("services", "heartbeat", name, "i1");
        var listed = await _cli.JsonAsync("services", "ls", "--service", name, "--health", "healthy");
        var table = await _cli.OkAsync("services", "ls", "--service", name);
        var removed = await _cli.JsonAsync("services", "rm", name, "i1");
        var missingUrl = await _cli.RunAsync("services", "register", name, "i2");

        Assert.Equal("ttl", registered.GetProperty("check").GetString());
        Assert.Equal(("starting", "healthy"), (first.GetProperty("health").GetString(), beat.GetProperty("health").GetString())); // two passes before healthy
        Assert.Equal(["i1"], listed.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Contains(name, table.Stdout, StringComparison.Ordinal);
        Assert.True(removed.GetProperty("deleted").GetBoolean());
        Assert.Equal(2, missingUrl.ExitCode);
    }

    [Fact]
    public async Task Invoke_PrintsTheInstancesAnswer_AndExitsNonZeroForAFailure()
    {
        await using var backend = await TestService.StartAsync("c1");
        var name = NexusCli.NewName("svc");
        await _cli.JsonAsync("services", "register", name, "c1", "--url", backend.BaseUrl, "--ttl", "1m");
        await _cli.JsonAsync("services", "heartbeat", name, "c1");
        await _cli.JsonAsync("services", "heartbeat", name, "c1"); // two passes: healthy

        var posted = await _cli.OkAsync("services", "invoke", name, "echo/orders?x=1", "--method", "post", "--data", "{\"id\":7}", "-H", "X-Hook: from-cli", "--timeout", "10s");
        var json = await _cli.JsonAsync("services", "invoke", name, "echo/a");
        var missing = await _cli.RunAsync("services", "invoke", name, "no/route");
        var badMethod = await _cli.RunAsync("services", "invoke", name, "echo/a", "-X", "PATCH");
        var nobody = await _cli.RunAsync("services", "invoke", NexusCli.NewName("nobody"), "echo/a");

        var seen = TestService.Parse(posted.Stdout);
        Assert.Equal(("POST", "/echo/orders", "?x=1", "{\"id\":7}", "from-cli"),
            (seen.GetProperty("method").GetString(), seen.GetProperty("path").GetString(), seen.GetProperty("query").GetString(), seen.GetProperty("body").GetString(), seen.GetProperty("hook").GetString()));
        Assert.Equal((201, "c1"), (json.GetProperty("status").GetInt32(), json.GetProperty("instance").GetString()));
        Assert.Equal("/echo/a", TestService.Parse(json.GetProperty("body").GetString()!).GetProperty("path").GetString());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("answered 404", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badMethod.ExitCode);
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains("no healthy instance", nobody.Stderr, StringComparison.Ordinal);
    }
}
