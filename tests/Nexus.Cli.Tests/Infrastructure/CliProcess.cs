using System.Diagnostics;
using System.Threading.Channels;

namespace Nexus.Cli.Tests.Infrastructure;

/// <summary>A CLI process that keeps running (<c>state watch</c>): its stdout read line by line as it comes; disposing
/// it kills the process.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Task<string> _stderr;

    internal CliProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.Writer.TryComplete();
            else _lines.Writer.TryWrite(e.Data);
        };
        _process.BeginOutputReadLine();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>The next line of stdout; fails when the process ended first or after the deadline.</summary>
    public async Task<string> NextLineAsync()
    {
        using var deadline = new CancellationTokenSource(NexusCli.Deadline);
        try
        {
            if (await _lines.Reader.WaitToReadAsync(deadline.Token) && _lines.Reader.TryRead(out var line)) return line;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No line on stdout within {NexusCli.Deadline.TotalSeconds} s.");
        }
        await _process.WaitForExitAsync();
        throw new InvalidOperationException($"The process exited ({_process.ExitCode}) before the next line: {await _stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
