using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Plugins;

/// <summary>Runs one plugin type without reflection on the hot path.</summary>
internal interface IPluginInvoker
{
    Type ArgsType { get; }
    void Validate(string argsJson);
    ValueTask<string?> InvokeAsync(IServiceProvider services, string argsJson, TaskContext context);
}

internal sealed class PluginInvoker<TPlugin, TArgs, TResult> : IPluginInvoker
    where TPlugin : ITaskPlugin<TArgs, TResult>
{
    public Type ArgsType => typeof(TArgs);

    public void Validate(string argsJson) => ArgsBinder.Bind(typeof(TArgs), argsJson);

    public async ValueTask<string?> InvokeAsync(IServiceProvider services, string argsJson, TaskContext context)
    {
        TArgs args;
        try
        {
            args = (TArgs)ArgsBinder.Bind(typeof(TArgs), argsJson);
        }
        catch (TaskValidationException ex)
        {
            // Args were valid at submit; failing now means the plugin's args type changed incompatibly. Retrying cannot help.
            throw new PermanentTaskException($"Stored args no longer bind to {typeof(TArgs).Name}: {ex.Message}", ex);
        }
        var plugin = ActivatorUtilities.GetServiceOrCreateInstance<TPlugin>(services);
        var result = await plugin.ExecuteAsync(args, context).ConfigureAwait(false);
        return result is null ? null : JsonSerializer.Serialize(result, NexusJson.Options);
    }
}
