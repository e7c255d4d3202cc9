using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;

namespace Nexus.Plugins;

/// <summary>Loads plugin assemblies from a folder, each in its own load context, so plugins bring their own
/// dependency versions. Nexus.Core and the Microsoft.Extensions abstractions are shared with the host, so the
/// plugin interface types match. Layout: <c>folder/*.dll</c>, or <c>folder/Name/Name.dll</c> with its dependencies beside it.</summary>
internal static class PluginFolderLoader
{
    public static IReadOnlyList<(Type Type, string Source)> Load(string folder, ILogger? logger)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Plugins folder '{root}' (Nexus:PluginsFolder) does not exist.");
        }
        var candidates = Directory.GetFiles(root, "*.dll")
            .Concat(Directory.GetDirectories(root).Select(d => Path.Combine(d, Path.GetFileName(d) + ".dll")).Where(File.Exists))
            .Order(StringComparer.Ordinal)
            .ToList();
        var found = new List<(Type, string)>();
        foreach (var path in candidates)
        {
            var context = new PluginLoadContext(path);
            Assembly assembly;
            try
            {
                assembly = context.LoadFromAssemblyPath(path);
            }
            catch (BadImageFormatException)
            {
                continue; // a native library beside the plugins
            }
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                throw new InvalidOperationException($"Plugin assembly '{path}' could not be loaded: {ex.LoaderExceptions.FirstOrDefault()?.Message}", ex);
            }
            var plugins = types.Where(PluginRegistry.IsPlugin).ToList();
            foreach (var type in plugins) found.Add((type, path));
            logger?.LogInformation("Loaded {Count} plugins from {Path}.", plugins.Count, path);
        }
        return found;
    }

    private sealed class PluginLoadContext(string mainAssemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Share the contract assemblies with the host so ITaskPlugin<,> is one type everywhere.
            var name = assemblyName.Name ?? "";
            if (name == "Nexus.Core" || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) || name.StartsWith("System.", StringComparison.Ordinal))
            {
                return null;
            }
            var path = _resolver.ResolveAssemblyToPath(assemblyName);
            return path is null ? null : LoadFromAssemblyPath(path);
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
        }
    }
}
