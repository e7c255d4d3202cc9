using System.ComponentModel.DataAnnotations;
using Nexus.Plugins;
using Nexus.Workflows;

namespace Nexus.Core.Tests.Workflows;

public sealed record ResizeArgs([property: Range(1, 4096)] int Width, string Path = "");

[TaskPlugin("test.resize")]
public sealed class ResizePlugin : ITaskPlugin<ResizeArgs, string>
{
    public ValueTask<string> ExecuteAsync(ResizeArgs args, TaskContext context) => ValueTask.FromResult(args.Path);
}

public sealed record AnyArgs(string? Text = null);

[TaskPlugin("test.echo")]
public sealed class EchoPlugin : ITaskPlugin<AnyArgs, string>
{
    public ValueTask<string> ExecuteAsync(AnyArgs args, TaskContext context) => ValueTask.FromResult(args.Text ?? "");
}

/// <summary>A real plugin registry (two plugins) and a set of known workflows.</summary>
internal static class TestCatalog
{
    public static IWorkflowCatalog Create(params string[] workflows)
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(ResizePlugin), null, "builtin");
        registry.Add(typeof(EchoPlugin), null, "builtin");
        return new RegistryWorkflowCatalog(registry, null, workflows.ToHashSet(StringComparer.Ordinal));
    }
}
