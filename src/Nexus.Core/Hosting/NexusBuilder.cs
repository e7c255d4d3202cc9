using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Plugins;
using Nexus.Storage;

namespace Nexus.Hosting;

/// <summary>Collects plugins, the store and settings inside <c>services.AddNexus(...)</c>.</summary>
public sealed class NexusBuilder
{
    internal NexusBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for extensions such as drivers and plugin packs.</summary>
    public IServiceCollection Services { get; }

    internal List<(Type Type, PluginOptions? Options, string Source)> Plugins { get; } = [];
    internal Func<IServiceProvider, INexusStore>? StoreFactory { get; private set; }
    internal List<Events.EventHandlerRegistration> Handlers { get; } = [];

    /// <summary>Registers an in-process event handler: a durable subscription to <paramref name="pattern"/> (NATS
    /// grammar) whose deliveries run <paramref name="handler"/> as tasks, retried with backoff when it throws; after the
    /// last delivery the event goes to the namespace's dead letters. The subscription is made at start if missing
    /// (named after the pattern unless <see cref="Events.EventHandlerOptions.Name"/> says otherwise).</summary>
    /// <example><code>n.Subscribe("user.*", async (d, ct) => await mailer.WelcomeAsync(d.Event.PayloadJson, ct));</code></example>
    public NexusBuilder Subscribe(string pattern, Func<Events.EventDelivery, CancellationToken, Task> handler, Action<Events.EventHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Events.TopicPattern.Parse(pattern);
        var options = new Events.EventHandlerOptions();
        configure?.Invoke(options);
        var registration = new Events.EventHandlerRegistration(pattern, handler, options);
        Events.Names.Subscription(registration.Name, "handler name");
        Events.Names.Namespace(options.Namespace, "handler namespace");
        if (Handlers.Count == 0) Plugins.Add((typeof(Events.EventHandlerPlugin), null, "builtin"));
        Handlers.Add(registration);
        return this;
    }

    /// <summary>Registers a plugin class (one marked with <see cref="TaskPluginAttribute"/>), optionally overriding its defaults.</summary>
    public NexusBuilder AddPlugin<TPlugin>(Action<PluginOptions>? configure = null) where TPlugin : class
    {
        PluginOptions? options = null;
        if (configure is not null)
        {
            options = new PluginOptions();
            configure(options);
        }
        Plugins.Add((typeof(TPlugin), options, "builtin"));
        return this;
    }

    /// <summary>Registers every plugin class in an assembly.</summary>
    public NexusBuilder AddPluginsFrom(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes().Where(PluginRegistry.IsPlugin).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            Plugins.Add((type, null, assembly.GetName().Name ?? "assembly"));
        }
        return this;
    }

    /// <summary>Sets the store. Drivers offer shorthands: <c>UseSqlite(...)</c>, <c>UsePostgres(...)</c>.</summary>
    public NexusBuilder UseStore(Func<IServiceProvider, INexusStore> factory)
    {
        StoreFactory = factory;
        return this;
    }

    /// <summary>Changes engine settings.</summary>
    public NexusBuilder Configure(Action<NexusOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}
