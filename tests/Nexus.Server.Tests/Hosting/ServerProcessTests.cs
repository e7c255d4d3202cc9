using System.Diagnostics;
using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Hosting;

/// <summary>The built server binary, as <c>./build.sh run</c> starts it: <c>--dev</c>, SQLite under the working
/// folder, a task submitted over HTTP without credentials runs, and SIGTERM stops it cleanly.</summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task TheBuiltServer_InDevMode_RunsATaskSubmittedWithoutCredentials_AndStopsOnSigterm()
    {
        await using var server = ServerProcess.Start("process-test");
        var log = server.Lines;
        var folder = server.Folder;
        var url = await server.AddressAsync();
        using var client = new HttpClient { BaseAddress = new Uri(url) };

        var id = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"proc/story.txt","words":50}}""");
        var task = await client.WaitForStateAsync(id, "succeeded");

        Assert.Equal("process-test", task.GetProperty("leasedBy").GetString());
        Assert.True(File.Exists(Path.Combine(folder, "generated", "proc", "story.txt")));
        Assert.True(File.Exists(Path.Combine(folder, "data", "nexus.db")));
        Assert.Contains(log, line => line.Contains("DEVELOPMENT MODE", StringComparison.Ordinal));
        using var relayed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        relayed.Headers.Add("X-Forwarded-For", "198.51.100.4");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(relayed)).StatusCode);

        using (var term = Process.Start("kill", ["-TERM", server.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        await server.Process.WaitForExitAsync().WaitAsync(ServerProcess.StartDeadline);
        Assert.Equal(0, server.Process.ExitCode);
        Assert.Contains(log, line => line.Contains("Nexus node process-test stopped", StringComparison.Ordinal));
    }
}
