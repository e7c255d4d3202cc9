using System.Text.Json.Nodes;
using Nexus.Tasks;

namespace Nexus.Plugins;

/// <summary>What the registry knows of one plugin: metadata, schema and defaults.</summary>
public sealed record PluginDescriptor
{
    /// <summary>The stable name.</summary>
    public required string Name { get; init; }
    /// <summary>What it does.</summary>
    public string Description { get; init; } = "";
    /// <summary>Its version.</summary>
    public string Version { get; init; } = "1.0.0";
    /// <summary>The JSON schema of its arguments, generated from the args type.</summary>
    public required JsonObject ArgsSchema { get; init; }
    /// <summary>Default queue.</summary>
    public string Queue { get; init; } = "default";
    /// <summary>Default attempts, or null for the engine's default.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Default per-attempt time limit, or null for none.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Default retry policy, or null for the engine's default.</summary>
    public RetryPolicy? Retry { get; init; }
    /// <summary>Where it came from: <c>builtin</c>, or the assembly file it was loaded from.</summary>
    public string Source { get; init; } = "builtin";

    internal IPluginInvoker Invoker { get; init; } = null!;
}

/// <summary>Overrides of a plugin's defaults at registration.</summary>
public sealed class PluginOptions
{
    /// <summary>Default queue for its tasks.</summary>
    public string? Queue { get; set; }
    /// <summary>Default attempts allowed.</summary>
    public int? MaxAttempts { get; set; }
    /// <summary>Default per-attempt time limit.</summary>
    public TimeSpan? Timeout { get; set; }
    /// <summary>Default retry policy.</summary>
    public RetryPolicy? Retry { get; set; }
}
