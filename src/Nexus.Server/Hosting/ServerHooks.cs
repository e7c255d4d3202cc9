using Nexus.Hosting;
using OpenTelemetry.Trace;

namespace Nexus.Server.Hosting;

/// <summary>What tests add to a server beyond configuration: plugins of their own and a trace exporter.</summary>
internal sealed record ServerHooks
{
    /// <summary>Runs inside <c>AddNexus</c> after the sample plugins (e.g. <c>n.AddPlugin&lt;TestPlugin&gt;()</c>).</summary>
    public Action<NexusBuilder>? Nexus { get; init; }

    /// <summary>Turns tracing on and adds to it (e.g. an in-memory exporter), as an OTLP endpoint would.</summary>
    public Action<TracerProviderBuilder>? Tracing { get; init; }
}

/// <summary>Applies an optional <see cref="ServerHooks.Nexus"/> hook inside a builder chain.</summary>
internal static class NexusBuilderHookExtensions
{
    public static NexusBuilder Apply(this NexusBuilder builder, Action<NexusBuilder>? hook)
    {
        hook?.Invoke(builder);
        return builder;
    }
}
