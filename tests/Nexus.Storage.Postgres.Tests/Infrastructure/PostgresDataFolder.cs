using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nexus.Storage.Postgres.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL 15 data directory for a throwaway test server, and what starting one needs: the server binaries
/// (<c>/usr/lib/postgresql/15/bin</c> or <c>NEXUS_TEST_POSTGRES_BIN</c>), a folder named after this test process (so the
/// next run can tell leftovers of dead processes), <c>initdb</c> with trust auth, a free loopback port, and — as root —
/// running as the <c>postgres</c> OS user, since the server refuses root. Shared by <see cref="PostgresTestServer"/> and
/// the crash tests' restartable server.
/// </summary>
internal sealed record PostgresDataFolder(string Bin, string Folder, string Data, string Sockets, int Port, bool AsPostgres)
{
    private const string DefaultBin = "/usr/lib/postgresql/15/bin";

    /// <summary>Cleans up after dead test processes, then creates and initialises a new folder under
    /// <paramref name="prefix"/>. <paramref name="missingBinaries"/> is the message when the binaries are absent.</summary>
    public static async Task<PostgresDataFolder> CreateAsync(string prefix, Func<string, string> missingBinaries)
    {
        var bin = Environment.GetEnvironmentVariable("NEXUS_TEST_POSTGRES_BIN") ?? DefaultBin;
        if (!File.Exists(Path.Combine(bin, "initdb")) || !File.Exists(Path.Combine(bin, "postgres")))
        {
            throw new InvalidOperationException(missingBinaries(bin));
        }
        var asPostgres = Environment.IsPrivilegedProcess;
        // The postgres OS user must be able to reach the folder; /tmp is traversable by everyone.
        var root = asPostgres ? "/tmp" : Path.GetTempPath();
        DeleteLeftovers(root, prefix);
        var folder = Path.Combine(root, $"{prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var data = Path.Combine(folder, "data");
        var sockets = Path.Combine(folder, "sock");
        Directory.CreateDirectory(sockets);
        if (asPostgres) await RunAsync("chown", ["-R", "postgres:postgres", folder], asPostgres: false);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N"], asPostgres);
        return new PostgresDataFolder(bin, folder, data, sockets, FreePort(), asPostgres);
    }

    /// <summary>Starts <c>sh -c <paramref name="script"/></c> with the arguments bin, data, port, sockets, folder (as
    /// <c>$1</c>…<c>$5</c>), as the postgres user when needed, its stdin a pipe from this process and its output redirected.</summary>
    public ProcessStartInfo Wrapper(string name, string script)
    {
        var info = StartInfo("sh", ["-c", script, name, Bin, Data, Port.ToString(CultureInfo.InvariantCulture), Sockets, Folder], AsPostgres);
        info.RedirectStandardInput = true;
        return info;
    }

    /// <summary>Folders of test processes that are gone: stop a server still running there (its owner cannot), then
    /// delete the folder. Someone else's leftovers never fail a test run.</summary>
    private static void DeleteLeftovers(string root, string prefix)
    {
        foreach (var dir in Directory.EnumerateDirectories(root, prefix + "*"))
        {
            try
            {
                var name = Path.GetFileName(dir)[prefix.Length..];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash <= 0 || !int.TryParse(name[..dash], CultureInfo.InvariantCulture, out var owner) || IsAlive(owner)) continue;
                var pidFile = Path.Combine(dir, "data", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out var postmaster)
                    && File.Exists($"/proc/{postmaster}/cmdline") && File.ReadAllText($"/proc/{postmaster}/cmdline").Contains(dir, StringComparison.Ordinal))
                {
                    using var orphan = Process.GetProcessById(postmaster);
                    orphan.Kill();
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or System.ComponentModel.Win32Exception)
            {
                // Someone else's leftovers; never fail a test run over them.
            }
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ProcessStartInfo StartInfo(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var info = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file }) info.ArgumentList.Add(a);
        }
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return info;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        using var process = Process.Start(StartInfo(file, args, asPostgres)) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var output = new StringBuilder().Append(await stdout).Append(await stderr);
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed with exit code {process.ExitCode}:{Environment.NewLine}{output}");
        }
    }
}
