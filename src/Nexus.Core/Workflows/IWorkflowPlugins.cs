namespace Nexus.Workflows;

/// <summary>What validation needs to know of plugins and other workflows.</summary>
public interface IWorkflowCatalog
{
    /// <summary>The names of the plugins that can run (local and declared by external workers).</summary>
    IReadOnlyCollection<string> PluginNames { get; }
    /// <summary>True when the plugin exists.</summary>
    bool HasPlugin(string name);
    /// <summary>Checks args against the plugin's schema; throws <see cref="TaskValidationException"/> naming the field.</summary>
    void ValidateArgs(string plugin, string argsJson);
    /// <summary>True when a workflow of that name is registered (for child workflow steps).</summary>
    bool HasWorkflow(string name);
}
