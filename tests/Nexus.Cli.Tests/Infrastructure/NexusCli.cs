using System.Diagnostics;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Cli.Tests.Infrastructure;

/// <summary>What one run of the CLI process produced.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>stdout parsed as one JSON document (fails the test when it is anything else).</summary>
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"stdout is not one JSON document ({ex.Message}):\n{Stdout}\nstderr:\n{Stderr}", ex);
        }
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the built <c>nexus</c> (src/Nexus.Cli/bin/&lt;configuration&gt;/net10.0/Nexus.Cli.dll) as a real process with
/// <c>dotnet</c>, pointed at a test server through <c>NEXUS_SERVER</c> and <c>NEXUS_API_KEY</c>.</summary>
public sealed class NexusCli(ServerHost? host, string? apiKey = ServerHost.BootstrapKey)
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private static readonly Lazy<string> Dll = new(() =>
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Nexus.slnx"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("The repository root (Nexus.slnx) was not found above " + testBin.FullName);
        var dll = Path.Combine(root.FullName, "src", "Nexus.Cli", "bin", configuration, testBin.Name, "Nexus.Cli.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The CLI is not built at {dll}.");
    });

    /// <summary>The working folder of the runs (relative paths in arguments resolve here).</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("nexus-cli-tests-").FullName;

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    public async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        using var process = Process.Start(Start(args, environment))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nexus {string.Join(' ', args)} did not exit within {Deadline.TotalSeconds} s; stdout so far: {await stdout}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a command that keeps running (a watch); read its lines, dispose to kill it.</summary>
    public CliProcess Start(params string[] args)
    {
        var process = Process.Start(Start(args, null))!;
        process.StandardInput.Close();
        return new CliProcess(process);
    }

    private ProcessStartInfo Start(string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("NEXUS_SERVER");
        start.Environment.Remove("NEXUS_API_KEY");
        if (host is not null) start.Environment["NEXUS_SERVER"] = host.Address.AbsoluteUri;
        if (apiKey is not null) start.Environment["NEXUS_API_KEY"] = apiKey;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    /// <summary>Runs and asserts exit code 0, returning the result.</summary>
    public async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"nexus {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>Runs with <c>--json</c>, asserts exit code 0 and returns stdout parsed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args) => (await OkAsync([.. args, "--json"])).Json();

    /// <summary>Polls <c>tasks show --json</c> until the task is finished, failing after the deadline.</summary>
    public Task<JsonElement> WaitFinishedAsync(long id) =>
        Eventually.UntilAsync(
            () => JsonAsync("tasks", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            task => task.GetProperty("state").GetString() is "succeeded" or "dead" or "cancelled",
            Deadline,
            step: TimeSpan.Zero, // each look runs a process: that paces it
            because: $"task {id} to finish");

    public static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];
}
