using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexus.Hosting;

namespace Nexus.Bench;

/// <summary>The host every workload runs Nexus in: logging off, the no-op plugin and its probe, the workload's
/// settings.</summary>
internal static class BenchHost
{
    /// <summary>Builds and starts a host on <paramref name="db"/>; <paramref name="starting"/> runs just before
    /// <c>StartAsync</c> (after the build), for timing the engine's start alone; <paramref name="plugins"/> registers more.</summary>
    public static async Task<IHost> StartAsync(BenchDatabase db, BenchProbe probe, Action<NexusOptions> configure, Action? starting = null, Action<NexusBuilder>? plugins = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging(l => l.AddFilter(_ => false));
        builder.Services.AddSingleton(probe);
        builder.Services.AddNexus(n =>
        {
            db.Use(n);
            n.AddPlugin<NoopPlugin>();
            plugins?.Invoke(n);
            n.Configure(configure);
        });
        var host = builder.Build();
        starting?.Invoke();
        await host.StartAsync();
        return host;
    }
}
