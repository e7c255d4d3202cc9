using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary><c>nexus services</c> as a process: register, heartbeat, ls (table and JSON, filtered), rm; a missing
/// --url exits 2.</summary>
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
}
