using System.Reflection;
using System.Text.RegularExpressions;
using Nexus.Tasks;

namespace Nexus.Plugins;

/// <summary>The plugins this process knows, by stable name.</summary>
public sealed partial class PluginRegistry
{
    private readonly Dictionary<string, PluginDescriptor> _byName = new(StringComparer.Ordinal);

    /// <summary>Every registered plugin, ordered by name.</summary>
    public IReadOnlyList<PluginDescriptor> All => [.. _byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>Looks a plugin up by name.</summary>
    public bool TryGet(string name, out PluginDescriptor descriptor) => _byName.TryGetValue(name, out descriptor!);

    /// <summary>Looks a plugin up by name, or throws <see cref="UnknownPluginException"/> listing the known ones.</summary>
    public PluginDescriptor Get(string name) =>
        _byName.TryGetValue(name, out var d) ? d : throw new UnknownPluginException(name, _byName.Keys);

    /// <summary>Validates <paramref name="argsJson"/> against the plugin's args type; throws <see cref="TaskValidationException"/> naming the field.</summary>
    public void ValidateArgs(string plugin, string argsJson) => Get(plugin).Invoker.Validate(argsJson);

    internal PluginDescriptor Add(Type pluginType, PluginOptions? options, string source)
    {
        var descriptor = Describe(pluginType, options, source);
        if (!_byName.TryAdd(descriptor.Name, descriptor))
        {
            throw new InvalidOperationException($"Two plugins are named '{descriptor.Name}': {_byName[descriptor.Name].Source} and {source} ({pluginType.FullName}).");
        }
        return descriptor;
    }

    /// <summary>True when <paramref name="type"/> is a concrete plugin class.</summary>
    internal static bool IsPlugin(Type type) =>
        type is { IsClass: true, IsAbstract: false } && FindPluginInterface(type) is not null;

    private static Type? FindPluginInterface(Type type) =>
        type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITaskPlugin<,>));

    internal static PluginDescriptor Describe(Type pluginType, PluginOptions? options, string source)
    {
        var contract = FindPluginInterface(pluginType)
            ?? throw new ArgumentException($"{pluginType.FullName} does not implement ITaskPlugin<TArgs, TResult>.", nameof(pluginType));
        var meta = pluginType.GetCustomAttribute<TaskPluginAttribute>()
            ?? throw new ArgumentException($"{pluginType.FullName} needs [TaskPlugin(\"name\")] to give it a stable name.", nameof(pluginType));
        if (!NamePattern().IsMatch(meta.Name))
        {
            throw new ArgumentException($"Plugin name '{meta.Name}' of {pluginType.FullName} is invalid: use lower-case letters, digits and . _ - (1–128 characters, starting with a letter or digit).", nameof(pluginType));
        }
        var args = contract.GetGenericArguments();
        var invokerType = typeof(PluginInvoker<,,>).MakeGenericType(pluginType, args[0], args[1]);
        var queue = options?.Queue ?? meta.Queue;
        QueueName.Validate(queue, $"plugin {meta.Name} queue");
        var retry = options?.Retry;
        retry?.Validate($"plugin {meta.Name} retry");
        var timeout = options?.Timeout ?? (meta.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(meta.TimeoutSeconds) : null);
        if (timeout is { } t && (t <= TimeSpan.Zero || t > TaskBounds.MaxTimeout))
        {
            throw new TaskValidationException($"plugin {meta.Name} timeout", $"must be positive and at most {TaskBounds.Describe(TaskBounds.MaxTimeout)}");
        }
        return new PluginDescriptor
        {
            Name = meta.Name,
            Description = meta.Description,
            Version = meta.Version,
            ArgsSchema = ArgsBinder.SchemaOf(args[0]),
            Queue = queue,
            MaxAttempts = options?.MaxAttempts ?? (meta.MaxAttempts > 0 ? meta.MaxAttempts : null),
            Timeout = timeout,
            Retry = retry,
            Source = source,
            Invoker = (IPluginInvoker)Activator.CreateInstance(invokerType)!,
        };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();
}
