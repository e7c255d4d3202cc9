using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexus.Hosting;
using Nexus.Storage;
using Nexus.Tasks;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>Base of engine contracts: the real engine in a real host on the driver under test.</summary>
public abstract class EngineHarness : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];

    protected Probe Probe { get; } = new();

    /// <summary>The hosts' artifact folder (a temp folder of this test, deleted at the end).</summary>
    protected string ArtifactFolder { get; } = Path.Combine(Path.GetTempPath(), "nexus-test-artifacts-" + Guid.NewGuid().ToString("N"));

    /// <summary>When set before <see cref="StartAsync"/>, changes the hosts' artifact settings.</summary>
    protected Action<Artifacts.ArtifactOptions>? ConfigureArtifacts { get; set; }

    /// <summary>When set before <see cref="StartAsync"/>, the hosts' completion writes wait until it completes.</summary>
    protected TaskCompletionSource? CompletionGate { get; set; }

    /// <summary>When set before <see cref="StartAsync"/>, the hosts' completion writes return (after storing) only once it
    /// completes.</summary>
    protected TaskCompletionSource? CompletionReturnGate { get; set; }

    /// <summary>When set before <see cref="StartAsync"/>, the hosts' claims wait until it completes and then claim even
    /// if the engine began to stop meanwhile (see <see cref="GatedTaskStore.ClaimGate"/>).</summary>
    protected TaskCompletionSource? ClaimGate { get; set; }

    /// <summary>Completes when a host's claim first reaches <see cref="ClaimGate"/>, with the <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp of that moment (taken in the store, not when a test's continuation gets to run).</summary>
    protected TaskCompletionSource<long> ClaimEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a host started with <see cref="ClaimGate"/> first calls the rescue, with its timestamp.</summary>
    protected TaskCompletionSource<long> RescueEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a host's completion write through the gates has been stored.</summary>
    protected TaskCompletionSource CompletionWritten { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The gated task store of the last host started with a gate.</summary>
    internal GatedTaskStore? Gated { get; private set; }

    /// <summary>Every log line of the hosts this test started.</summary>
    protected CapturedLogs Logs { get; } = new();

    /// <summary>Completes when a host first tries to write completions through the gate.</summary>
    protected TaskCompletionSource CompletionWriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected abstract Task<INexusStore> CreateStoreAsync();

    /// <summary>The test's store, shared by every host the test starts (as nodes sharing one database would).</summary>
    protected INexusStore? LastStore { get; set; }

    /// <summary>When set before <see cref="StartAsync"/>, the probe plugin's own retry policy.</summary>
    protected RetryPolicy? ProbeRetry { get; set; }

    protected async Task<(IHost Host, INexusTasks Tasks)> StartAsync(
        Action<NexusOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null, Action<NexusBuilder>? nexus = null)
    {
        LastStore ??= await CreateStoreAsync();
        var gated = CompletionGate is null && CompletionReturnGate is null && ClaimGate is null
            ? null
            : new GatedTaskStore(LastStore.Tasks, CompletionGate?.Task ?? System.Threading.Tasks.Task.CompletedTask, CompletionWriteEntered, CompletionReturnGate?.Task, CompletionWritten)
            {
                ClaimGate = ClaimGate?.Task,
                ClaimEntered = ClaimEntered,
                RescueEntered = RescueEntered,
            };
        Gated = gated;
        var store = new NonDisposingStore(LastStore, gated);
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging(l => l.AddProvider(Logs));
        builder.Services.AddSingleton(Probe);
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.Configure<Artifacts.ArtifactOptions>(o =>
        {
            o.Path = ArtifactFolder;
            ConfigureArtifacts?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        builder.Services.AddNexus(n => n
            .UseStore(_ => store)
            .Also(nexus)
            .AddPlugin<ProbePlugin>(p => p.Retry = ProbeRetry)
            .Configure(o =>
            {
                o.NodeId = "engine-test";
                o.Concurrency = 4;
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.LeaseDuration = TimeSpan.FromSeconds(10);
                o.HeartbeatInterval = TimeSpan.FromSeconds(3);
                o.RescueInterval = TimeSpan.FromSeconds(1);
                o.ShutdownTimeout = TimeSpan.FromSeconds(10);
                configure?.Invoke(o);
            }));
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        return (host, host.Services.GetRequiredService<INexusTasks>());
    }

    protected static Task<TaskRecord> WaitFinishedAsync(INexusTasks tasks, long id) => tasks.WaitFinishedAsync(id);

    /// <summary>Polls until the task satisfies <paramref name="condition"/>, failing after a deadline.</summary>
    protected static Task<TaskRecord> WaitUntilAsync(INexusTasks tasks, long id, Func<TaskRecord, bool> condition) =>
        tasks.WaitUntilAsync(id, condition);

    protected static Task WaitStartedAsync(Probe probe, long id) =>
        Eventually.WithinAsync(probe.Started(id).Task, because: $"task {id} to start");

    public Task InitializeAsync() => System.Threading.Tasks.Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Probe.Gate.TrySetResult();
        CompletionGate?.TrySetResult();
        CompletionReturnGate?.TrySetResult();
        ClaimGate?.TrySetResult();
        foreach (var host in _hosts)
        {
            try
            {
                await host.StopAsync();
            }
            catch (ObjectDisposedException)
            {
                // stopped by the test already
            }
            host.Dispose();
        }
        if (LastStore is not null) await LastStore.DisposeAsync();
        if (Directory.Exists(ArtifactFolder)) Directory.Delete(ArtifactFolder, recursive: true);
    }
}

internal static class NexusBuilderHooks
{
    /// <summary>Lets a test add to the builder (handlers, plugins) in the middle of the harness's chain.</summary>
    public static NexusBuilder Also(this NexusBuilder builder, Action<NexusBuilder>? more)
    {
        more?.Invoke(builder);
        return builder;
    }
}
