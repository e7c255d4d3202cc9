using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Testing;

/// <summary>A real Nexus engine for tests: a host built with <c>AddNexus</c> on a real SQLite file in a temporary folder
/// (deleted on dispose), with a <see cref="FakeTimeProvider"/> as its <see cref="TimeProvider"/>. Run times, backoff,
/// leases and timers follow <see cref="Clock"/>, so <see cref="AdvanceAsync"/> runs due retries and delayed tasks without
/// real waiting. Start one with <see cref="StartAsync"/>.</summary>
/// <example><code>
/// await using var host = await NexusTestHost.StartAsync(n => n.AddPlugin&lt;MyPlugin&gt;());
/// var id = (await host.Tasks.SubmitAsync("my.plugin", new MyArgs("x"))).Id;
/// var done = await host.WaitAsync(id);
/// </code></example>
public sealed class NexusTestHost : IAsyncDisposable
{
    /// <summary>Where <see cref="Clock"/> starts when no start is given: 2030-01-01 00:00 UTC.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly IHost _host;
    private readonly string _folder;
    private bool _disposed;

    private NexusTestHost(IHost host, FakeTimeProvider clock, string folder)
    {
        _host = host;
        _folder = folder;
        Clock = clock;
        Tasks = host.Services.GetRequiredService<INexusTasks>();
        Store = host.Services.GetRequiredService<INexusStore>();
    }

    /// <summary>The engine's clock. Advance it with <see cref="AdvanceAsync"/>, which also wakes the engine.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>Submit, read, wait for and manage tasks.</summary>
    public INexusTasks Tasks { get; }

    /// <summary>The SQLite store under the engine.</summary>
    public INexusStore Store { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>The SQLite file's path (inside a temporary folder deleted on dispose).</summary>
    public string DatabasePath => Path.Combine(_folder, "nexus.db");

    /// <summary>Builds and starts the host.</summary>
    /// <param name="configure">Adds plugins and changes settings, after the test defaults are applied: node id
    /// <c>nexus-test</c>, concurrency 4, poll interval 20 ms (real time between looks for work), lease 5 minutes and
    /// heartbeat 30 seconds (both on the fake clock, so a large advance does not expire a running attempt's lease unless
    /// you advance past it), rescue every second, shutdown timeout 5 seconds, and retention off (finished tasks are kept,
    /// so advancing days does not delete them).</param>
    /// <param name="services">Adds or replaces services; runs after the fake clock is registered and before
    /// <c>AddNexus</c>, so services registered here win (a replacement <see cref="TimeProvider"/> must be a
    /// <see cref="FakeTimeProvider"/>).</param>
    /// <param name="start">Where the fake clock starts. Default <see cref="DefaultStart"/>.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    public static async Task<NexusTestHost> StartAsync(
        Action<NexusBuilder>? configure = null,
        Action<IServiceCollection>? services = null,
        DateTimeOffset? start = null,
        CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var clock = new FakeTimeProvider(start ?? DefaultStart) { AutoAdvanceAmount = TimeSpan.Zero };
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Services.AddSingleton<TimeProvider>(clock);
        services?.Invoke(builder.Services);
        builder.Services.AddNexus(n =>
        {
            n.UseSqlite($"Data Source={Path.Combine(folder, "nexus.db")}");
            n.Configure(o =>
            {
                o.NodeId = "nexus-test";
                o.Concurrency = 4;
                o.PollInterval = TimeSpan.FromMilliseconds(20);
                o.LeaseDuration = TimeSpan.FromMinutes(5);
                o.HeartbeatInterval = TimeSpan.FromSeconds(30);
                o.RescueInterval = TimeSpan.FromSeconds(1);
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
                o.RetainSucceeded = null;
                o.RetainCancelled = null;
                o.RetainDead = null;
            });
            configure?.Invoke(n);
        });
        var host = builder.Build();
        var testHost = new NexusTestHost(host, (FakeTimeProvider)host.Services.GetRequiredService<TimeProvider>(), folder);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await testHost.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return testHost;
    }

    /// <summary>Moves the fake clock forward by <paramref name="by"/> (firing the engine's timers that fall due) and wakes
    /// the engine, so tasks whose run time has now passed (retries after their backoff, delayed and snoozed tasks) are
    /// claimed at once. Advance only after what you expect is stored (for example wait with
    /// <see cref="WaitUntilAsync"/> until the task is <c>retrying</c>): a retry's run time is computed from the clock
    /// when its failure is stored.</summary>
    public Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        Services.GetRequiredService<INexusTaskSignals>().Wake();
        return System.Threading.Tasks.Task.CompletedTask;
    }

    /// <summary>Waits until the task finishes (succeeded, dead or cancelled) and returns it; throws a
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 30 s, real time).</summary>
    public Task<TaskRecord> WaitAsync(long id, TimeSpan? timeout = null) => Tasks.WaitFinishedAsync(id, timeout);

    /// <summary>Polls the task until <paramref name="condition"/> holds and returns it; throws a
    /// <see cref="TimeoutException"/> with the last record seen after <paramref name="timeout"/> (default 30 s, real time).</summary>
    public Task<TaskRecord> WaitUntilAsync(long id, Func<TaskRecord, bool> condition, TimeSpan? timeout = null) =>
        Tasks.WaitUntilAsync(id, condition, timeout);

    /// <summary>Stops the engine (running attempts get the shutdown timeout), disposes the host and deletes the
    /// temporary folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await _host.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            if (_host is IAsyncDisposable asyncHost) await asyncHost.DisposeAsync().ConfigureAwait(false);
            else _host.Dispose();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open elsewhere: the OS temp folder is cleaned eventually; the test's verdict stands.
            }
        }
    }
}
