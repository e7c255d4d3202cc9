namespace Nexus.Storage;

/// <summary>Plugins served by external workers, as they declared them. Stored so that every server node accepts
/// submits for them and lists them; a later declaration of the same name replaces the earlier one.</summary>
public interface IExternalPluginStore
{
    /// <summary>Inserts or replaces the declarations, in one transaction.</summary>
    Task DeclareAsync(DeclarePluginsParams p, CancellationToken cancellationToken = default);

    /// <summary>Every declared plugin, ordered by name.</summary>
    Task<IReadOnlyList<ExternalPlugin>> ListAsync(CancellationToken cancellationToken = default);
}

/// <summary>A plugin declared by an external worker.</summary>
public sealed record ExternalPlugin
{
    /// <summary>The stable name tasks are submitted to (the same rule as local plugin names).</summary>
    public required string Name { get; init; }
    /// <summary>What it does.</summary>
    public string Description { get; init; } = "";
    /// <summary>Its version.</summary>
    public string Version { get; init; } = "1.0.0";
    /// <summary>The queue its tasks go to (every submit of it lands there).</summary>
    public required string Queue { get; init; }
    /// <summary>The args JSON schema text (see <see cref="Plugins.JsonArgsSchema"/> for the supported subset).</summary>
    public required string ArgsSchemaJson { get; init; }
    /// <summary>Default attempts, or null for the engine's default.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Default per-attempt time limit, or null for none.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>The worker that declared it last.</summary>
    public string DeclaredBy { get; init; } = "";
    /// <summary>When it was declared last (store clock).</summary>
    public DateTimeOffset DeclaredAt { get; init; }
}

/// <summary>Params of <see cref="IExternalPluginStore.DeclareAsync"/>.</summary>
/// <param name="Plugins">The declarations; <see cref="ExternalPlugin.DeclaredAt"/> is set by the store.</param>
public sealed record DeclarePluginsParams(IReadOnlyList<ExternalPlugin> Plugins)
{
    /// <summary>Explicit clock for tests; null uses the store's clock.</summary>
    public DateTimeOffset? Now { get; init; }
}
