using Nexus.Plugins;

namespace Nexus.Workflows;

/// <summary>Validation's view of this process: local plugins, plugins external workers declared, and the registered
/// workflows (a snapshot taken before validating).</summary>
internal sealed class RegistryWorkflowCatalog(PluginRegistry registry, ExternalPluginCatalog? externals, IReadOnlySet<string> workflows) : IWorkflowCatalog
{
    public IReadOnlyCollection<string> PluginNames =>
        [.. registry.All.Select(p => p.Name).Where(n => n != RunPlanner.TimerPlugin).Concat(externals?.Names ?? []).Distinct(StringComparer.Ordinal)];

    public bool HasPlugin(string name) => registry.TryGet(name, out _) || (externals?.TryGet(name, out _) ?? false);

    public void ValidateArgs(string plugin, string argsJson)
    {
        if (registry.TryGet(plugin, out _))
        {
            registry.ValidateArgs(plugin, argsJson);
            return;
        }
        if (externals?.TryGet(plugin, out var entry) == true) entry.Schema.Validate(argsJson);
    }

    public bool HasWorkflow(string name) => workflows.Contains(name);
}
