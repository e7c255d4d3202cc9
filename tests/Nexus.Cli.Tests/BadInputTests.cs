using System.Net;
using System.Net.Sockets;
using Nexus.Cli.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Cli.Tests;

/// <summary>Wrong input gets the documented exit code and one line on stderr, and nothing on stdout.</summary>
public sealed class BadInputTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private readonly NexusCli _cli = new(fixture.Host);

    private static string OneErrorLine(CliResult result)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"Expected one line on stderr: {result}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
        return lines[0];
    }

    [Fact]
    public async Task BadJsonArgs_ExitTwo_NamingTheOption()
    {
        var result = await _cli.RunAsync("submit", "text.generate", "--args", "{\"filename\":");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--args is not valid JSON", OneErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgsThatAreNotAnObject_ExitTwo()
    {
        var result = await _cli.RunAsync("submit", "text.generate", "--args", "[1,2]");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("must be a JSON object", OneErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownPlugin_ExitsOne_WithTheServersDetailAndCode()
    {
        var result = await _cli.RunAsync("submit", "no.such.plugin", "--args", "{}");

        Assert.Equal(1, result.ExitCode);
        var line = OneErrorLine(result);
        Assert.Contains("Unknown plugin 'no.such.plugin'", line, StringComparison.Ordinal);
        Assert.Contains("unknown-plugin", line, StringComparison.Ordinal);
        Assert.Contains("field plugin", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgsOutsideTheSchema_ExitOne_NamingTheField()
    {
        var result = await _cli.RunAsync("submit", "text.generate", "--args", """{"filename":"x.txt","words":0}""", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("args.words: must be between", OneErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableServer_ExitsThree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await _cli.RunAsync("--server", $"http://127.0.0.1:{port}", "tasks", "ls");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"Cannot reach the Nexus server at http://127.0.0.1:{port}/", OneErrorLine(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingArgument_ExitsTwo_WithTheParsersMessage()
    {
        var result = await _cli.RunAsync("tasks", "show");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Required argument 'id' missing", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nexus tasks show --help", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task AnUnknownCommandOrBadOptionValue_ExitsTwo()
    {
        var unknown = await _cli.RunAsync("frobnicate");
        var badState = await _cli.RunAsync("tasks", "ls", "--state", "sleeping");
        var noTask = await _cli.RunAsync("tasks", "show", "999999999");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal(2, badState.ExitCode);
        Assert.Contains("sleeping", badState.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, noTask.ExitCode);
        Assert.Contains("not-found", OneErrorLine(noTask), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCredentials_ExitsOne_Unauthenticated()
    {
        var anonymous = new NexusCli(fixture.Host, apiKey: null);

        var result = await anonymous.RunAsync("tasks", "ls");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unauthenticated", OneErrorLine(result), StringComparison.Ordinal);
    }
}
