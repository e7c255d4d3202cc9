using System.Diagnostics;

namespace Nexus.Server.Tests.Deploy;

/// <summary>Runs Prometheus's own checker, <c>promtool</c> (Debian package <c>prometheus</c>, installed by
/// <c>./build.sh setup</c>). Missing, the tests fail saying so: they are never skipped.</summary>
public static class Promtool
{
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var path = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        Assert.True(path is not null, "promtool is not installed: run ./build.sh setup (it installs Debian's prometheus package), or apt-get install prometheus.");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = DeployFiles.Root };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }
}
