using System.Collections.Concurrent;
using System.Diagnostics;
using Nexus.CrashTests.Worker;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>
/// One worker, a separate OS process: <c>dotnet Nexus.CrashTests.Worker.dll</c> with <see cref="WorkerSettings"/> on its
/// command line. The test holds the worker's standard input; closing it stops the worker gracefully, and if the test
/// process dies the pipe closes by itself, so no worker outlives the run. Dispose kills whatever is still running.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static WorkerProcess()
    {
        // Last resort when the test host exits with workers still around (a frozen one cannot read its stdin).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Live.Values) TryKill(process);
        };
    }

    private WorkerProcess(WorkerSettings settings, Process process)
    {
        Settings = settings;
        _process = process;
    }

    public WorkerSettings Settings { get; }

    public string Node => Settings.Node;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the worker wrote (standard output and its log on standard error).</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <summary>Starts the worker and waits until its engine runs.</summary>
    public static async Task<WorkerProcess> StartAsync(WorkerSettings settings)
    {
        var start = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerDll());
        foreach (var arg in settings.ToArgs()) start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(settings, process);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data, stdout: false);
        process.Exited += (_, _) =>
        {
            worker._ready.TrySetException(new InvalidOperationException(
                $"Worker {settings.Node} exited with code {process.ExitCode} before it was ready. Its output:{Environment.NewLine}{worker.LogTail()}"));
            Live.TryRemove(process.Id, out _);
        };
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.WithinAsync(worker._ready.Task, TimeSpan.FromSeconds(60), () => $"worker {settings.Node} to report ready. Its output:{Environment.NewLine}{worker.LogTail()}");
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
        return worker;
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null) return;
        _log.Enqueue(line);
        if (!stdout) return;
        if (line.StartsWith("nexus-worker: ready", StringComparison.Ordinal)) _ready.TrySetResult(_process.Id);
        else if (line.StartsWith("nexus-worker: stopped", StringComparison.Ordinal)) _stopped.TrySetResult();
    }

    /// <summary>The last lines of the worker's output, for failure messages.</summary>
    public string LogTail(int lines = 40) => string.Join(Environment.NewLine, _log.TakeLast(lines).Select(l => $"  [{Node}] {l}"));

    /// <summary>kill -9, and wait until the process is gone.</summary>
    public async Task KillAsync()
    {
        Posix.Signal(Pid, Posix.SigKill);
        await Eventually.WithinAsync(_process.WaitForExitAsync(), TimeSpan.FromSeconds(30), () => $"worker {Node} (pid {Pid}) to die after kill -9");
    }

    /// <summary>kill -STOP: the process freezes mid-flight, holding its leases and connections.</summary>
    public void Freeze() => Posix.Signal(Pid, Posix.SigStop);

    /// <summary>kill -CONT.</summary>
    public void Thaw() => Posix.Signal(Pid, Posix.SigCont);

    /// <summary>Closes the worker's standard input: it stops claiming, lets running attempts finish, writes every
    /// pending completion and exits. Returns its exit code.</summary>
    public async Task<int> StopGracefullyAsync()
    {
        _process.StandardInput.Close();
        await Eventually.WithinAsync(_process.WaitForExitAsync(), TimeSpan.FromSeconds(60), () => $"worker {Node} to stop gracefully. Its output:{Environment.NewLine}{LogTail()}");
        // Exited can be observed before the last output line is read; the protocol line says the drain really ended.
        await Eventually.WithinAsync(_stopped.Task, TimeSpan.FromSeconds(10), () => $"worker {Node} to print that it stopped. Its output:{Environment.NewLine}{LogTail()}");
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        TryKill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // Reported by nothing: the kill was sent; the test's own assertions already ran.
        }
        Live.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private static void TryKill(Process process)
    {
        try
        {
            // SIGKILL also ends a process frozen with SIGSTOP.
            if (!process.HasExited) process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    /// <summary>The worker is built beside this project (same configuration and framework): ../Nexus.CrashTests.Worker/bin/...</summary>
    private static string WorkerDll()
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var marker = $"{Path.DirectorySeparatorChar}Nexus.CrashTests{Path.DirectorySeparatorChar}";
        var at = here.LastIndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"Cannot find the worker: the test assembly is not under a Nexus.CrashTests folder ({here}).");
        var folder = string.Concat(here.AsSpan(0, at), $"{Path.DirectorySeparatorChar}Nexus.CrashTests.Worker{Path.DirectorySeparatorChar}", here.AsSpan(at + marker.Length));
        var dll = Path.Combine(folder, "Nexus.CrashTests.Worker.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The crash-test worker is not built: {dll} is missing (build tests/Nexus.CrashTests, which builds it first).");
        return dll;
    }
}
