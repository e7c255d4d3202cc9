using System.Diagnostics;
using System.Text;

namespace Nexus.Core.Tests.Artifacts;

/// <summary>
/// A real S3-compatible server for the tests: s3rver from npm, installed once into the repository's <c>.cache/s3rver</c>
/// (git-ignored; <c>npm install</c> needs Node 20+ and the npm registry), started on a free loopback port (the server
/// binds port 0 and prints the port it got) with a bucket <c>nexus</c> and a data folder in a temp folder. It stops
/// with the test class; if the test process dies, the launcher sees its stdin close and exits.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string Bucket = "nexus";
    private const string Version = "3.7.1";

    private Process? _process;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "nexus-s3rver-" + Guid.NewGuid().ToString("N"));

    /// <summary>The endpoint, <c>http://127.0.0.1:port</c>.</summary>
    public string ServiceUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var cache = await InstallAsync();
        var launcher = Path.Combine(cache, "launch.js");
        await File.WriteAllTextAsync(launcher, LauncherScript);
        Directory.CreateDirectory(_data);
        var start = new ProcessStartInfo("node")
        {
            // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
            ArgumentList = { "--openssl-legacy-provider", launcher, _data, Bucket },
            WorkingDirectory = cache,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = new StringBuilder();
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(deadline.Token);
            if (line is null)
            {
                lock (errors) throw new InvalidOperationException($"s3rver exited before it listened: {errors}");
            }
            if (line.StartsWith("listening ", StringComparison.Ordinal))
            {
                ServiceUrl = "http://127.0.0.1:" + line["listening ".Length..].Trim();
                break;
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await p.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A file the server still held: the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Installs s3rver into the repository's .cache (once per machine; a named mutex keeps parallel test
    /// processes from installing at once).</summary>
    private static Task<string> InstallAsync() => Task.Run(() =>
    {
        var cache = Path.Combine(RepositoryRoot(), ".cache", "s3rver");
        var marker = Path.Combine(cache, "node_modules", "s3rver", "package.json");
        if (File.Exists(marker)) return cache;
        using var mutex = new Mutex(false, "nexus-tests-s3rver-install");
        if (!mutex.WaitOne(TimeSpan.FromMinutes(5))) throw new TimeoutException("Another process has been installing s3rver for 5 minutes.");
        try
        {
            if (File.Exists(marker)) return cache;
            Directory.CreateDirectory(cache);
            var npm = new ProcessStartInfo("npm")
            {
                ArgumentList = { "install", "--no-audit", "--no-fund", "--no-save", "--prefix", cache, $"s3rver@{Version}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm did not start (Node 20+ and npm are needed for the S3 tests).");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(marker))
            {
                throw new InvalidOperationException($"npm install s3rver@{Version} into {cache} failed ({process.ExitCode}): {output.Result}{error.Result}");
            }
            return cache;
        }
        finally
        {
            mutex.ReleaseMutex();
        }
    });

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Nexus.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Nexus.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts s3rver on 127.0.0.1, port 0, with one bucket, prints "listening PORT", and exits when stdin closes.</summary>
    private const string LauncherScript = """
        'use strict';
        const S3rver = require('s3rver');
        const [directory, bucket] = process.argv.slice(2);
        const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
        server.run().then(address => {
          process.stdout.write('listening ' + address.port + '\n');
        }, error => { console.error(error); process.exit(1); });
        process.stdin.on('end', () => server.close().then(() => process.exit(0)));
        process.stdin.on('close', () => process.exit(0));
        process.stdin.resume();
        """;
}
