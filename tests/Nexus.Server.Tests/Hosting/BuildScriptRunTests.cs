using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Hosting;

/// <summary><c>./build.sh run</c> as a service manager or a script uses it: started, then stopped with one SIGTERM
/// to the script's own pid. The script must hand over to the server (exec), so the signal stops the server, the port
/// is free again and no process is left behind.</summary>
public sealed class BuildScriptRunTests
{
    /// <summary>Room for the script's build when the stamp is missing (an incremental build of the server and the
    /// CLI) on a loaded 2-core machine, and for the server's start.</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task BuildShRun_StopsWithOneSigtermToTheScript_ReleasingThePortAndLeavingNoProcess()
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nexus-build-run", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(System.IO.Path.Combine(RepositoryRoot.Path(), "build.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Everything the server writes goes to the temp folder (named in its arguments, which is how leftovers are found).
        foreach (var arg in new[] { "run", "--urls", url, "--sqlite", $"Data Source={folder}/nexus.db", $"--Nexus:ArtifactsRoot={folder}/generated" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["CONFIGURATION"] = RepositoryRoot.Configuration();
        start.Environment.Remove("ASPNETCORE_URLS");
        var lines = new ConcurrentQueue<string>();
        using var script = Process.Start(start)!;
        script.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        script.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();
        try
        {
            using (var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) })
            {
                await PollAsync(async () => !script.HasExited && await HealthyAsync(client), StartDeadline,
                    () => script.HasExited ? $"the script exited with {script.ExitCode} before /healthz answered" : "/healthz does not answer", lines);
            }
            Assert.Contains(ProcessesNaming(folder), p => p == script.Id); // exec: the server is the script's own process
            // The run command built the CLI too: the first ./nexus call answers at once, without a build of its own.
            var (exit, output) = await RunNexusAsync(url, "health");
            Assert.True(exit == 0, output);
            Assert.DoesNotContain("Building", output, StringComparison.Ordinal);

            Signal(script.Id, "TERM");

            await PollAsync(() => Task.FromResult(script.HasExited), StopDeadline, () => "the script's process still runs after SIGTERM", lines);
            Assert.Equal(0, script.ExitCode);
            await PollAsync(() => Task.FromResult(CanListen(port)), StopDeadline, () => $"port {port} is still held", lines);
            Assert.Empty(ProcessesNaming(folder));
            // The output is read asynchronously: its last lines may arrive just after the exit is seen.
            await script.WaitForExitAsync();
            await PollAsync(() => Task.FromResult(lines.Any(line => line.Contains("stopped", StringComparison.Ordinal))), StopDeadline, () => "the server never logged that it stopped", lines);
        }
        finally
        {
            foreach (var pid in ProcessesNaming(folder)) Signal(pid, "KILL");
            if (!script.HasExited) script.Kill(entireProcessTree: true);
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left to the temp folder's cleanup.
            }
        }
    }

    private static async Task<(int Exit, string Output)> RunNexusAsync(string url, params string[] args)
    {
        var start = new ProcessStartInfo(System.IO.Path.Combine(RepositoryRoot.Path(), "nexus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args.Concat(["--server", url])) start.ArgumentList.Add(arg);
        start.Environment["CONFIGURATION"] = RepositoryRoot.Configuration();
        using var nexus = Process.Start(start)!;
        var stdout = nexus.StandardOutput.ReadToEndAsync();
        var stderr = nexus.StandardError.ReadToEndAsync();
        await nexus.WaitForExitAsync().WaitAsync(StopDeadline);
        return (nexus.ExitCode, await stdout.WaitAsync(StopDeadline) + await stderr.WaitAsync(StopDeadline));
    }

    private static async Task<bool> HealthyAsync(HttpClient client)
    {
        try
        {
            return (await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task PollAsync(Func<Task<bool>> condition, TimeSpan deadline, Func<string> missing, ConcurrentQueue<string> lines)
    {
        try
        {
            await Eventually.UntilAsync(condition, deadline, PollStep);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"After {deadline.TotalSeconds:0} s {missing()}. Output:\n{string.Join('\n', lines.TakeLast(40))}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when nothing listens on the port: binding it (as a restarted server would) succeeds.</summary>
    private static bool CanListen(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Pids of the processes whose command line mentions <paramref name="text"/>.</summary>
    private static List<int> ProcessesNaming(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                if (File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")).Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while being looked at.
            }
        }
        return found;
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
