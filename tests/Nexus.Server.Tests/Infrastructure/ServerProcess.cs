using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Nexus.Server.Tests.Infrastructure;

/// <summary>The built server binary (<see cref="ServerBinary"/>) running as its own process with <c>--dev</c> on a free
/// loopback port, in a temp working folder (so SQLite and the generated files land there), every line it writes to
/// stdout or stderr collected. Disposing kills it if it still runs and deletes the folder.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    /// <summary>How long the process may take to start listening.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(string folder, ProcessStartInfo start)
    {
        Folder = folder;
        Process = Process.Start(start)!;
        Process.OutputDataReceived += OnLine;
        Process.ErrorDataReceived += OnLine;
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>The working folder: <c>data/nexus.db</c> and <c>generated/</c> are under it.</summary>
    public string Folder { get; }

    /// <summary>Every line written so far, stdout and stderr interleaved as they arrived.</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Starts <c>dotnet Nexus.Server.dll --dev --urls http://127.0.0.1:0</c> plus <paramref name="args"/>,
    /// with <c>NEXUS_NODEID</c> set to <paramref name="nodeId"/>.</summary>
    public static ServerProcess Start(string nodeId, params string[] args) => Start(nodeId, dev: true, environment: null, args);

    /// <summary>As <see cref="Start(string, string[])"/>; without <c>--dev</c> when <paramref name="dev"/> is false (every
    /// request then needs credentials), and with <paramref name="environment"/> added to the process's variables.</summary>
    public static ServerProcess Start(string nodeId, bool dev, IReadOnlyDictionary<string, string>? environment, params string[] args)
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
        foreach (var arg in new[] { ServerBinary.Dll() }.Concat(dev ? ["--dev"] : []).Concat(["--urls", "http://127.0.0.1:0"]).Concat(args)) start.ArgumentList.Add(arg);
        start.Environment["NEXUS_NODEID"] = nodeId;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        start.Environment.Remove("ASPNETCORE_URLS");
        return new ServerProcess(folder, start);
    }

    /// <summary>The address the server says it listens on, once it says so (<see cref="StartDeadline"/>).</summary>
    public Task<string> AddressAsync() => _address.Task.WaitAsync(StartDeadline);

    private void OnLine(object? sender, DataReceivedEventArgs e)
    {
        if (e.Data is null) return;
        Lines.Enqueue(e.Data);
        var match = Listening().Match(e.Data);
        if (match.Success) _address.TrySetResult(match.Groups[1].Value);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying child is left to the temp folder's cleanup.
        }
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
