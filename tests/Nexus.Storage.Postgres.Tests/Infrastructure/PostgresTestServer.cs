using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Nexus.Storage.Postgres;

namespace Nexus.Storage.Postgres.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL the tests share, started once per test process.
/// <list type="bullet">
/// <item>With <c>NEXUS_TEST_POSTGRES</c> set (a connection string of a superuser or database owner), that server is used;
/// the schemas the tests create are dropped when the process exits.</item>
/// <item>Otherwise a throwaway PostgreSQL 15 is started from <c>/usr/lib/postgresql/15/bin</c> (or
/// <c>NEXUS_TEST_POSTGRES_BIN</c>): a fresh data directory in a temp folder, a free loopback port, trust auth, fsync off.
/// As root it runs as the <c>postgres</c> OS user (the server refuses root).</item>
/// </list>
/// The server is stopped and its folder deleted when the test process exits. If the process dies instead
/// (crash, kill -9), a small shell wrapper that holds the server notices its stdin pipe closing and stops the
/// server; folders left behind by dead processes are deleted by the next run.
/// Missing binaries fail every PostgreSQL test with the way to fix it; nothing is skipped.
/// </summary>
public sealed class PostgresTestServer
{
    private const string FolderPrefix = "nexus-pg-";
    private static readonly Lazy<Task<PostgresTestServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly ConcurrentBag<string> _schemas = [];
    private readonly Process? _server;
    private readonly string? _folder;
    private readonly bool _external;
    private int _stopped;

    private PostgresTestServer(string connectionString, Process? server, string? folder, bool external)
    {
        ConnectionString = connectionString;
        _server = server;
        _folder = folder;
        _external = external;
        DataSource = NpgsqlDataSource.Create(connectionString);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>The shared server, started on first use. A failure to start is remembered and fails every caller.</summary>
    public static Task<PostgresTestServer> GetAsync() => Shared.Value;

    /// <summary>Connection string of a superuser or owner of the test database.</summary>
    public string ConnectionString { get; }

    /// <summary>A pooled data source over <see cref="ConnectionString"/>, shared by the test stores.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>A new schema name nobody uses yet; dropped at exit when the server is not a throwaway one.</summary>
    public string NewSchema()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..24];
        _schemas.Add(schema);
        return schema;
    }

    /// <summary>A store over the shared data source in a fresh schema (not migrated). Disposing it leaves the pool alone.</summary>
    public PostgresStore CreateStore(Action<PostgresStoreOptions>? configure = null)
    {
        var options = new PostgresStoreOptions { Schema = NewSchema() };
        configure?.Invoke(options);
        return new PostgresStore(DataSource, options);
    }

    /// <summary>A connection string to the same server with another application name, for tests that need their
    /// own pool (for example to find and kill their own backends).</summary>
    public string ConnectionStringFor(string applicationName) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString;

    private static async Task<PostgresTestServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("NEXUS_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            var server = new PostgresTestServer(WithTestDefaults(external), null, null, external: true);
            await using var conn = await server.DataSource.OpenConnectionAsync();
            return server;
        }
        return await StartThrowawayAsync();
    }

    private static async Task<PostgresTestServer> StartThrowawayAsync()
    {
        var pg = await PostgresDataFolder.CreateAsync(FolderPrefix, bin =>
            $"The PostgreSQL tests need a PostgreSQL 15 server, but {bin}/initdb and {bin}/postgres were not found. " +
            "Install the server binaries (apt-get install postgresql-15), point NEXUS_TEST_POSTGRES_BIN at another bin folder, " +
            "or set NEXUS_TEST_POSTGRES to the connection string of a superuser or database owner on a running server.");
        var port = pg.Port;
        var folder = pg.Folder;
        // The wrapper holds the server and waits on its stdin, a pipe from this process: when this process ends,
        // however it ends, the pipe closes, `read` returns and the wrapper stops the server (fast shutdown) and
        // deletes the folder.
        const string wrapper = """
            "$1/postgres" -D "$2" -p "$3" -k "$4" -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
                -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB &
            pg=$!
            read -r _ignored || true
            kill -INT "$pg" 2>/dev/null
            wait "$pg"
            rm -rf "$5"
            """;
        var start = pg.Wrapper("nexus-pg", wrapper);

        var log = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            log.Enqueue(e.Data);
            while (log.Count > 200) log.TryDequeue(out _);
            if (e.Data.Contains("ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"The throwaway PostgreSQL exited while starting. Its log:{Environment.NewLine}{string.Join(Environment.NewLine, log)}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The throwaway PostgreSQL did not start within 60 seconds. Its log:{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
        }

        var connectionString = WithTestDefaults($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
        return new PostgresTestServer(connectionString, process, folder, external: false);
    }

    private static string WithTestDefaults(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = 100,
            IncludeErrorDetail = true,
        };
        if (b.MaxAutoPrepare == 0) b.MaxAutoPrepare = 64;
        if (string.IsNullOrEmpty(b.Options)) b.Options = "-c jit=off"; // as PostgresStore.Create does
        if (!connectionString.Contains("reset", StringComparison.OrdinalIgnoreCase)) b.NoResetOnClose = true; // as PostgresStore.Create does
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "nexus-tests";
        return b.ConnectionString;
    }

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (_external)
            {
                DropSchemas();
                return;
            }
            DataSource.Dispose();
            if (_server is not null && !_server.HasExited)
            {
                _server.StandardInput.Close();
                if (!_server.WaitForExit(TimeSpan.FromSeconds(15))) _server.Kill(entireProcessTree: true);
            }
            if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }
#pragma warning disable CA1031 // Best effort at process exit; there is nobody left to report to.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    private void DropSchemas()
    {
        using var conn = DataSource.OpenConnection();
        foreach (var schema in _schemas)
        {
            using var cmd = new NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", conn);
            cmd.ExecuteNonQuery();
        }
    }
}
