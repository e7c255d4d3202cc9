using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Hosting;

/// <summary>The built server binary, as <c>./build.sh run</c> starts it: <c>--dev</c>, SQLite under the working
/// folder, a task submitted over HTTP without credentials runs, and SIGTERM stops it cleanly.</summary>
public sealed partial class ServerProcessTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private static string ServerDll() => ServerBinary.Dll();

    [Fact]
    public async Task TheBuiltServer_InDevMode_RunsATaskSubmittedWithoutCredentials_AndStopsOnSigterm()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-server-process", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { ServerDll(), "--dev", "--urls", "http://127.0.0.1:0" }) start.ArgumentList.Add(arg);
        start.Environment["NEXUS_NODEID"] = "process-test";
        start.Environment.Remove("ASPNETCORE_URLS");

        using var server = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            log.Enqueue(e.Data);
            var match = Listening().Match(e.Data);
            if (match.Success) address.TrySetResult(match.Groups[1].Value);
        }
        server.OutputDataReceived += OnLine;
        server.ErrorDataReceived += OnLine;
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var url = await address.Task.WaitAsync(StartDeadline);
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

            using (var term = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            await server.WaitForExitAsync().WaitAsync(StartDeadline);
            Assert.Equal(0, server.ExitCode);
            Assert.Contains(log, line => line.Contains("Nexus node process-test stopped", StringComparison.Ordinal));
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
