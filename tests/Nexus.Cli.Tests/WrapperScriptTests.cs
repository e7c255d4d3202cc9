using System.Diagnostics;

namespace Nexus.Cli.Tests;

/// <summary>The repository's <c>./nexus</c> wrapper on its own: it builds (one <c>dotnet build src/Run.proj</c>) only
/// when the CLI is missing or a source is newer than the last build, then execs the CLI with the arguments, so the
/// exit code is the CLI's. Run in a throwaway copy of the two scripts with a fake <c>dotnet</c> first on the PATH
/// that records its calls: no real build, so the staleness rule itself is what is tested.</summary>
public sealed class WrapperScriptTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("nexus-wrapper-").FullName;

    public WrapperScriptTests()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Nexus.slnx"))) repo = repo.Parent;
        Assert.NotNull(repo);
        Directory.CreateDirectory(Path.Combine(_root, "src"));
        File.Copy(Path.Combine(repo.FullName, "nexus"), Path.Combine(_root, "nexus"));
        File.Copy(Path.Combine(repo.FullName, "src", "ensure-built.sh"), Path.Combine(_root, "src", "ensure-built.sh"));
        Write("src/Nexus.Cli/Program.cs", "// source");
        foreach (var dll in Dlls) Write(dll, "");
        Write("fake/dotnet", """
            #!/usr/bin/env bash
            echo "$*" >> "$FAKE_DOTNET_LOG"
            if [[ "$1" == build ]]; then exit 0; fi
            exit 7
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(_root, "fake", "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static readonly string[] Dlls =
    [
        "src/Nexus.Server/bin/Release/net10.0/Nexus.Server.dll",
        "src/Nexus.Cli/bin/Release/net10.0/Nexus.Cli.dll",
        "examples/Quickstart/bin/Release/net10.0/Quickstart.dll",
    ];

    private string Stamp => Path.Combine(_root, "src", "obj", "run-Release.stamp");

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n") + "\n");
    }

    /// <summary>Runs <c>./nexus args</c>; returns its exit code and the fake dotnet's calls.</summary>
    private async Task<(int Exit, List<string> Calls)> RunAsync(params string[] args)
    {
        var log = Path.Combine(_root, "calls.log");
        File.Delete(log);
        var start = new ProcessStartInfo(Path.Combine(_root, "nexus")) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["PATH"] = Path.Combine(_root, "fake") + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_DOTNET_LOG"] = log;
        start.Environment.Remove("CONFIGURATION");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Deadline);
        await Task.WhenAll(stdout, stderr).WaitAsync(Deadline);
        return (process.ExitCode, File.Exists(log) ? [.. await File.ReadAllLinesAsync(log)] : []);
    }

    [Fact]
    public async Task WithoutABuild_ItBuildsOnce_ThenRunsTheCli_WithItsExitCode()
    {
        var (exit, calls) = await RunAsync("tasks", "ls");

        Assert.Equal(7, exit);
        Assert.Equal(2, calls.Count);
        Assert.StartsWith($"build {_root}/src/Run.proj -c Release", calls[0], StringComparison.Ordinal);
        Assert.Equal($"{_root}/src/Nexus.Cli/bin/Release/net10.0/Nexus.Cli.dll tasks ls", calls[1]);
        Assert.True(File.Exists(Stamp));
    }

    [Fact]
    public async Task AfterABuild_ItRunsTheCliAtOnce()
    {
        await RunAsync("health");

        var (_, calls) = await RunAsync("health");

        Assert.Equal([$"{_root}/src/Nexus.Cli/bin/Release/net10.0/Nexus.Cli.dll health"], calls);
    }

    [Fact]
    public async Task ASourceNewerThanTheLastBuild_OrAMissingDll_BuildsAgain()
    {
        await RunAsync("health");
        File.SetLastWriteTimeUtc(Path.Combine(_root, "src", "Nexus.Cli", "Program.cs"), File.GetLastWriteTimeUtc(Stamp).AddMinutes(1));

        var (_, afterEdit) = await RunAsync("health");
        File.Delete(Path.Combine(_root, Dlls[0]));
        var (_, afterDelete) = await RunAsync("health");

        Assert.StartsWith("build ", afterEdit[0], StringComparison.Ordinal);
        Assert.StartsWith("build ", afterDelete[0], StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
