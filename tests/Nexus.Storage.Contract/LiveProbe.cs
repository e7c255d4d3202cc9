using Microsoft.Extensions.DependencyInjection;
using Nexus.Live;

namespace Nexus.Storage.Contract;

/// <summary>What a driver's own tests may read of the live hub's internals.</summary>
public static class LiveProbe
{
    /// <summary>Reads of the namespace's live reader that found committed changes held back by the read horizon.</summary>
    public static long HeldBackReads(IServiceProvider services, string @namespace) =>
        services.GetRequiredService<LiveHub>().HeldBackReads(@namespace);
}
