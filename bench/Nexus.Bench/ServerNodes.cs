using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexus.Bench;

/// <summary>Real Nexus server processes (the built <c>src/Nexus.Server</c> of this configuration) on one PostgreSQL
/// schema, for the scale-out workload: started on free loopback ports, ready once <c>/readyz</c> answers, stopped with
/// SIGTERM as a service manager would.</summary>
internal sealed partial class ServerNodes : IAsyncDisposable
{
    private readonly List<(Process Process, Uri Address)> _nodes = [];

    public IReadOnlyList<Process> Processes => [.. _nodes.Select(n => n.Process)];

    public IReadOnlyList<Uri> Addresses => [.. _nodes.Select(n => n.Address)];

    /// <summary>The server binary built beside this harness (the bench project references the server so it is built), or
    /// the one <c>NEXUS_BENCH_SERVER_DLL</c> names (to run another build's server under the same harness: before/after).</summary>
    public static string ServerDll()
    {
        if (Environment.GetEnvironmentVariable("NEXUS_BENCH_SERVER_DLL") is { Length: > 0 } given) return File.Exists(given) ? given : throw new InvalidOperationException($"NEXUS_BENCH_SERVER_DLL: no file {given}.");
        var bin = new DirectoryInfo(AppContext.BaseDirectory);
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Nexus.slnx"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("The repository root (Nexus.slnx) is not above the harness.");
        var dll = Path.Combine(root.FullName, "src", "Nexus.Server", "bin", bin.Parent!.Name, bin.Name, "Nexus.Server.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The server is not built at {dll}.");
    }

    public static async Task<ServerNodes> StartAsync(int count, IReadOnlyDictionary<string, string> environment)
    {
        var nodes = new ServerNodes();
        try
        {
            var starts = Enumerable.Range(1, count).Select(i => nodes.StartOneAsync($"scale-{i}", environment)).ToList();
            foreach (var start in starts) nodes._nodes.Add(await start);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var (_, address) in nodes._nodes)
            {
                var deadline = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        if ((await http.GetAsync(new Uri(address, "/readyz"))).IsSuccessStatusCode) break;
                    }
                    catch (HttpRequestException)
                    {
                    }
                    if (deadline.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{address} did not become ready.");
                    await Task.Delay(50);
                }
            }
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    private async Task<(Process, Uri)> StartOneAsync(string node, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in new[] { ServerDll(), "--urls", "http://127.0.0.1:0" }) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["NEXUS_NODEID"] = node;
        start.Environment.Remove("ASPNETCORE_URLS");
        var process = Process.Start(start)!;
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<string>();
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            var match = Listening().Match(e.Data);
            if (match.Success) address.TrySetResult(new Uri(match.Groups[1].Value));
            if (e.Data.Contains("could not start", StringComparison.Ordinal) || e.Data.Contains("fail:", StringComparison.Ordinal)) lock (errors) errors.Add(e.Data);
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(address.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != address.Task)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Server node {node} did not start: {string.Join(" | ", errors)}");
        }
        return (process, await address.Task);
    }

    /// <summary>CPU time of every node so far.</summary>
    public TimeSpan CpuTime()
    {
        var total = TimeSpan.Zero;
        foreach (var (process, _) in _nodes)
        {
            process.Refresh();
            total += process.TotalProcessorTime;
        }
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, _) in _nodes.Where(n => !n.Process.HasExited))
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }
        foreach (var (process, _) in _nodes)
        {
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
