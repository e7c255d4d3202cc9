using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Nexus.Dashboard.Tests.Infrastructure;

/// <summary>
/// A real OpenID provider: the npm package <c>oidc-provider</c> run by Node.js (<c>Oidc/provider.mjs</c>) on a free
/// loopback port, with one confidential client and the accounts the tests name. The
/// package is installed from <c>Oidc/package-lock.json</c> into <c>.cache/oidc-provider</c> of the repository with
/// <c>npm ci</c> the first time (and again when the lock changes). Its issuer is <c>http://localhost:port</c>: another
/// site than the Nexus servers' <c>127.0.0.1</c>, so the browser treats its redirects as cross-site.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "nexus-dashboard";
    public const string ClientSecret = "oidc-test-client-secret-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly Process _node;
    private readonly ConcurrentQueue<string> _log;
    private readonly BlockingCollection<string> _lines;

    private OidcProvider(Process node, ConcurrentQueue<string> log, BlockingCollection<string> lines, int port)
    {
        _node = node;
        _log = log;
        _lines = lines;
        Authority = $"http://localhost:{port}";
    }

    /// <summary>The issuer, as Nexus is configured with it.</summary>
    public string Authority { get; }

    /// <summary>What the provider printed, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    public static async Task<OidcProvider> StartAsync()
    {
        var folder = await InstallAsync();
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("provider.mjs");
        var node = Start(start);
        var log = new ConcurrentQueue<string>();
        var lines = new BlockingCollection<string>();
        node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            log.Enqueue(e.Data);
            lines.Add(e.Data);
        };
        node.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue("err: " + e.Data); };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        var first = await Task.Run(() => Next(lines, node, log, "port "));
        return new OidcProvider(node, log, lines, int.Parse(first["port ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Registers the client with the Nexus servers' callbacks and the accounts (login → ID token claims), and
    /// starts the provider.</summary>
    public async Task ConfigureAsync(IEnumerable<Uri> servers, IReadOnlyDictionary<string, Dictionary<string, object>> accounts)
    {
        var client = new
        {
            clientId = ClientId,
            clientSecret = ClientSecret,
            redirectUris = servers.Select(s => new Uri(s, "/signin-oidc").ToString()).ToArray(),
            accounts,
        };
        await _node.StandardInput.WriteLineAsync(JsonSerializer.Serialize(client));
        await _node.StandardInput.FlushAsync();
        await Task.Run(() => Next(_lines, _node, _log, "ready"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node.Dispose();
        _lines.Dispose();
    }

    private static string Next(BlockingCollection<string> lines, Process node, ConcurrentQueue<string> log, string prefix)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            while (true)
            {
                var line = lines.Take(timeout.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"The OpenID provider did not say '{prefix}' within {Deadline.TotalSeconds} s (exited: {node.HasExited}). It printed:\n{string.Join('\n', log)}");
        }
    }

    private static Process Start(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"The OIDC tests run a real OpenID provider with Node.js, but '{start.FileName}' could not be started ({ex.Message}). Install Node.js 20 or later and put it on PATH.", ex);
        }
    }

    /// <summary>Copies the script and the lock into <c>.cache/oidc-provider</c> and installs the package when the lock changed.</summary>
    private static async Task<string> InstallAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Nexus.slnx"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"No Nexus.slnx above {AppContext.BaseDirectory}.");
        var source = Path.Combine(root.FullName, "tests", "Nexus.Dashboard.Tests", "Oidc");
        var folder = Path.Combine(root.FullName, ".cache", "oidc-provider");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(source, "provider.mjs"), Path.Combine(folder, "provider.mjs"), overwrite: true);
        var lockFile = await File.ReadAllTextAsync(Path.Combine(source, "package-lock.json"));
        var installed = Path.Combine(folder, "node_modules", ".nexus-installed-lock.json");
        if (File.Exists(installed) && await File.ReadAllTextAsync(installed) == lockFile) return folder;

        File.Copy(Path.Combine(source, "package.json"), Path.Combine(folder, "package.json"), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(folder, "package-lock.json"), lockFile);
        var npm = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--ignore-scripts" }) npm.ArgumentList.Add(arg);
        using var process = Start(npm);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci of oidc-provider in {folder} failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }
        await File.WriteAllTextAsync(installed, lockFile);
        return folder;
    }
}
