using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Nexus.Storage.Postgres.Tests.Infrastructure;

namespace Nexus.CrashTests.Infrastructure;

/// <summary>
/// A PostgreSQL 15 of one test class's own, which that class may stop and start again (on the same port and data
/// directory) without disturbing the shared server other classes use. Like the shared one it is a throwaway: initdb into
/// a temp folder, a free loopback port, trust auth, run as the <c>postgres</c> OS user when the tests run as root. Unlike
/// it, commits are durable (<c>synchronous_commit=on</c>), since an immediate stop must not lose acknowledged commits;
/// <c>fsync</c> stays off because no test crashes the machine, only the server.
/// <para>A small shell wrapper owns the server and reads commands from its standard input, a pipe from this process:
/// <c>fast</c> and <c>immediate</c> stop it the way <c>pg_ctl stop -m</c> does (SIGINT, SIGQUIT), <c>start</c> starts it
/// again. When the pipe closes (dispose, or this process dying however it dies) the wrapper stops the server and
/// deletes the folder. Folders of dead test processes are cleaned up, and their servers stopped, by the next run.</para>
/// </summary>
internal sealed class DedicatedPostgres : IAsyncDisposable
{
    private const string FolderPrefix = "nexus-crashpg-";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _wrapper;
    private readonly string _folder;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _ready = NewSignal();
    private TaskCompletionSource _stopped = NewSignal();

    private DedicatedPostgres(Process wrapper, string folder, int port)
    {
        _wrapper = wrapper;
        _folder = folder;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            IncludeErrorDetail = true,
            ApplicationName = "nexus-crash-tests",
            Options = "-c jit=off",
            MaxAutoPrepare = 64,
        }.ConnectionString;
    }

    public int Port { get; }

    /// <summary>Superuser connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>The same server under another application name (to find a process's backends in pg_stat_activity).</summary>
    public string ConnectionStringFor(string applicationName) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    /// <summary>The server's recent log lines, for failure messages.</summary>
    public string LogTail(int lines = 40) => string.Join(Environment.NewLine, _log.TakeLast(lines).Select(l => "  [postgres] " + l));

    public static async Task<DedicatedPostgres> StartAsync()
    {
        var pg = await PostgresDataFolder.CreateAsync(FolderPrefix, bin =>
            $"The crash tests that restart PostgreSQL start their own PostgreSQL 15, but {bin}/initdb and {bin}/postgres were not found " +
            "(NEXUS_TEST_POSTGRES cannot stand in: those tests must stop and start the server). Install the server binaries " +
            "(apt-get install postgresql-15, or ./build.sh setup) or point NEXUS_TEST_POSTGRES_BIN at another bin folder.");
        const string wrapper = """
            bin=$1; data=$2; port=$3; sock=$4; folder=$5
            start() {
                "$bin/postgres" -D "$data" -p "$port" -k "$sock" -c listen_addresses=127.0.0.1 -c fsync=off \
                    -c synchronous_commit=on -c max_connections=200 -c shared_buffers=32MB &
                pg=$!
                echo "nexus-ctl: started $pg"
            }
            stop() {
                kill "-$1" "$pg" 2>/dev/null
                wait "$pg"
                echo "nexus-ctl: stopped $?"
            }
            start
            while read -r cmd; do
                case "$cmd" in
                    fast) stop INT ;;
                    immediate) stop QUIT ;;
                    start) start ;;
                esac
            done
            kill -INT "$pg" 2>/dev/null
            wait "$pg"
            rm -rf "$folder"
            """;
        var info = pg.Wrapper("nexus-crashpg", wrapper);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new DedicatedPostgres(process, pg.Folder, pg.Port);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) => server.OnWrapperExit();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Stops the server: <c>fast</c> (SIGINT: sessions are terminated, a clean shutdown checkpoint) or
    /// <c>immediate</c> (SIGQUIT: everything dies at once; the next start runs crash recovery).</summary>
    public async Task StopAsync(string mode)
    {
        if (mode is not ("fast" or "immediate")) throw new ArgumentException($"Unknown stop mode '{mode}'.", nameof(mode));
        Task stopped;
        lock (_lock)
        {
            _stopped = NewSignal();
            _ready = NewSignal();
            stopped = _stopped.Task;
        }
        await _wrapper.StandardInput.WriteLineAsync(mode);
        await _wrapper.StandardInput.FlushAsync();
        await Eventually.WithinAsync(stopped, StartTimeout, () => $"the dedicated PostgreSQL to stop ({mode}). Its log:{Environment.NewLine}{LogTail()}");
    }

    /// <summary>Starts the stopped server again on the same port and data directory; returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        await _wrapper.StandardInput.WriteLineAsync("start");
        await _wrapper.StandardInput.FlushAsync();
        await WaitReadyAsync();
    }

    private Task WaitReadyAsync()
    {
        Task ready;
        lock (_lock) ready = _ready.Task;
        return Eventually.WithinAsync(ready, StartTimeout, () => $"the dedicated PostgreSQL to accept connections. Its log:{Environment.NewLine}{LogTail()}");
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        while (_log.Count > 300) _log.TryDequeue(out _);
        lock (_lock)
        {
            if (line.Contains("ready to accept connections", StringComparison.Ordinal)) _ready.TrySetResult();
            else if (line.StartsWith("nexus-ctl: stopped", StringComparison.Ordinal)) _stopped.TrySetResult();
        }
    }

    private void OnWrapperExit()
    {
        var error = new InvalidOperationException($"The dedicated PostgreSQL's wrapper exited. Its log:{Environment.NewLine}{LogTail()}");
        lock (_lock)
        {
            _ready.TrySetException(error);
            _stopped.TrySetException(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_wrapper.HasExited)
            {
                _wrapper.StandardInput.Close();
                await _wrapper.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (TimeoutException)
        {
            _wrapper.Kill(entireProcessTree: true);
        }
        _wrapper.Dispose();
        try
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The wrapper deletes it too; the next run cleans up what is left.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
